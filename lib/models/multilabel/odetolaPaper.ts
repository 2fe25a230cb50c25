/**
 * Odetola, Oderhohwo & Hasan, "A Scalable Multilabel Classification to Deploy Deep Learning
 * Architectures for Edge Devices" (arXiv:1911.02098): Tables I–III as printed (AlexNet,
 * GoogleNet, SqueezeNet on Stanford Cars, car make and car type, run on a Raspberry Pi 3),
 * for printing beside ours, and what follows from the paper's own numbers:
 *
 *   ratio(Proposed / other) = value(Proposed) / value(other), per backbone and measure
 *
 * The MACC row counts the trained layers only: GoogleNet's Proposed = 1024 × (48 + 8) = 57,344
 * and HC = 1024 × 105 = 107,520, so HC has 105 joint classes (the text says 108); the
 * abstract's "1.8× less MACC than HC" is this ratio for GoogleNet and SqueezeNet. The cells
 * the extracted text leaves ambiguous are `null` (HC has no separate type row; the GoogleNet
 * 2M make loss reads "1.15 1.29"). {@link paperInconsistencies} lists what the tables
 * contradict themselves on, computed from them.
 */

export const ODETOLA_SOURCE = 'Odetola et al., arXiv:1911.02098, Tables I–III';

export type Backbone = 'AlexNet' | 'GoogleNet' | 'SqueezeNet';
export type PaperApproach = 'Proposed' | '2M' | 'HC';

/** One backbone's table: each row by approach (`null`: not in the table, or not legible in it). */
export interface OdetolaTable {
  accuracyMake: Record<PaperApproach, number | null>;
  accuracyType: Record<PaperApproach, number | null>;
  lossMake: Record<PaperApproach, number | null>;
  lossType: Record<PaperApproach, number | null>;
  sizeMB: Record<PaperApproach, number>;
  parameters: Record<PaperApproach, number>;
  trainedLayerMaccs: Record<PaperApproach, number>;
  latencySeconds: Record<PaperApproach, number>;
}

const row = (Proposed: number | null, m2: number | null, HC: number | null) => ({ Proposed, '2M': m2, HC });
const full = (Proposed: number, m2: number, HC: number) => ({ Proposed, '2M': m2, HC });

export const ODETOLA_TABLES: Record<Backbone, OdetolaTable> = {
  AlexNet: {
    accuracyMake: row(0.55, 0.64, 0.61),
    accuracyType: row(0.72, 0.43, null),
    lossMake: row(1.57, 0.98, 1.62),
    lossType: row(0.83, 1.99, null),
    sizeMB: full(223.0, 445.2, 445.2),
    parameters: full(20.36e6, 40.5e6, 20.33e6),
    trainedLayerMaccs: full(17.0e6, 33.78e6, 17.21e6),
    latencySeconds: full(17.215, 35.498, 17.693),
  },
  GoogleNet: {
    accuracyMake: row(0.75, 0.84, 0.83),
    accuracyType: row(0.99, 0.81, null),
    lossMake: row(0.86, null, null),
    lossType: row(0.51, 1.21, null),
    sizeMB: full(40.9, 95.6, 48.6),
    parameters: full(8.28e6, 18.36e6, 9.92e6),
    trainedLayerMaccs: full(57_344, 57_344, 107_520),
    latencySeconds: full(3.178, 7.265, 3.277),
  },
  SqueezeNet: {
    accuracyMake: row(0.65, 0.75, 0.66),
    accuracyType: row(0.74, 0.7, null),
    lossMake: row(1.47, 1.76, 2.84),
    lossType: row(0.89, 2.4, null),
    sizeMB: full(2.9, 5.7, 3),
    parameters: full(749.5e3, 1470.26e3, 745.39e3),
    trainedLayerMaccs: full(28_728, 28_728, 53_865),
    latencySeconds: full(6.466, 12.848, 6.512),
  },
};

export const BACKBONES: readonly Backbone[] = ['AlexNet', 'GoogleNet', 'SqueezeNet'];

/** The measures whose ratio Proposed / other the paper's tables give. */
export type PaperMeasure = 'trained-layer MACCs' | 'size' | 'latency' | 'parameters';

const MEASURE_ROW: Record<PaperMeasure, keyof OdetolaTable> = {
  'trained-layer MACCs': 'trainedLayerMaccs',
  size: 'sizeMB',
  latency: 'latencySeconds',
  parameters: 'parameters',
};

/** value(Proposed) / value(versus) in the paper's table of `backbone`. */
export function paperRatio(versus: '2M' | 'HC', measure: PaperMeasure, backbone: Backbone): number {
  const r = ODETOLA_TABLES[backbone][MEASURE_ROW[measure]] as Record<PaperApproach, number>;
  return r.Proposed / r[versus];
}

/** The three backbones' ratios as text: '0.50 / 0.43 / 0.51 (AlexNet / GoogleNet / SqueezeNet)'. */
export function paperRatioText(versus: '2M' | 'HC', measure: PaperMeasure, digits = 2): string {
  const ratios = BACKBONES.map((b) => paperRatio(versus, measure, b).toFixed(digits));
  return `${ratios.join(' / ')} (${BACKBONES.join(' / ')})`;
}

/**
 * What the tables contradict themselves on, computed from them: bytes per parameter far from
 * float32's 4 (a size that does not match the parameter count), and HC's trained-layer MACCs
 * implying a class count (MACCs / 1024 features, GoogleNet) other than the text's 108.
 */
export function paperInconsistencies(): string[] {
  const out: string[] = [];
  for (const b of BACKBONES) {
    const t = ODETOLA_TABLES[b];
    for (const a of ['Proposed', '2M', 'HC'] as const) {
      const bytesPerParameter = (t.sizeMB[a] * 1e6) / t.parameters[a];
      if (Math.abs(bytesPerParameter - 4) > 1.5)
        out.push(
          `${b} ${a}: ${t.sizeMB[a]} MB for ${(t.parameters[a] / 1e6).toFixed(2)}M parameters is ` +
            `${bytesPerParameter.toFixed(1)} bytes per parameter (float32 is 4)`,
        );
    }
  }
  const hcClasses = ODETOLA_TABLES.GoogleNet.trainedLayerMaccs.HC / 1024;
  if (hcClasses !== 108)
    out.push(
      `GoogleNet HC: ${ODETOLA_TABLES.GoogleNet.trainedLayerMaccs.HC} trained-layer MACCs = ` +
        `1024 × ${hcClasses} classes; the text says HC has 108`,
    );
  const alex = ODETOLA_TABLES.AlexNet.trainedLayerMaccs;
  out.push(
    `AlexNet: the text says Proposed uses 60.87 % fewer MACCs than HC; its table gives ` +
      `${(100 * (1 - alex.Proposed / alex.HC)).toFixed(1)} % fewer trained-layer MACCs`,
  );
  return out;
}
