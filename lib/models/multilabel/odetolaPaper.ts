/**
 * The cost ratios Odetola, Oderhohwo & Hasan report for Proposed, for printing beside ours.
 *
 * Source: the abstract of "A Scalable Multilabel Classification to Deploy Deep Learning
 * Architectures for Edge Devices" (arXiv:1911.02098, v3, 2021) — AlexNet, GoogleNet and
 * SqueezeNet on Stanford Cars, deployed on a Raspberry Pi 3. The abstract states:
 * vs HC, 1.8× fewer MACCs, latency 0.97×, size 0.5× / 0.84× / 0.97× (AlexNet / GoogleNet /
 * SqueezeNet); vs two single-label models (2M), 50% fewer MACCs and 50% lower latency and size.
 * Its wording ("reduction") is read here as the ratio Proposed / other. The per-backbone
 * values of its Tables I–III were not available in the sources this project could consult:
 * those cells say so instead of inventing a number.
 */

/** One ratio Proposed / `versus` as stated by the paper, or `null` when not available here. */
export interface PaperRatio {
  versus: '2M' | 'HC';
  measure: 'MACCs' | 'trained-layer MACCs' | 'size' | 'latency';
  /** Ratio per backbone, or one value for all three (`all`). */
  value: { all?: number; AlexNet?: number; GoogleNet?: number; SqueezeNet?: number } | null;
}

export const ODETOLA_SOURCE = 'Odetola et al., arXiv:1911.02098v3, abstract';

export const ODETOLA_RATIOS: readonly PaperRatio[] = [
  { versus: '2M', measure: 'MACCs', value: { all: 0.5 } },
  { versus: '2M', measure: 'trained-layer MACCs', value: null },
  { versus: '2M', measure: 'size', value: { all: 0.5 } },
  { versus: '2M', measure: 'latency', value: { all: 0.5 } },
  { versus: 'HC', measure: 'MACCs', value: { all: 1 / 1.8 } },
  { versus: 'HC', measure: 'trained-layer MACCs', value: null },
  { versus: 'HC', measure: 'size', value: { AlexNet: 0.5, GoogleNet: 0.84, SqueezeNet: 0.97 } },
  { versus: 'HC', measure: 'latency', value: { all: 0.97 } },
];

/**
 * The paper's ratio as text: '0.50', '0.50 / 0.84 / 0.97 (AlexNet / GoogleNet / SqueezeNet)',
 * or 'paper values not available here'.
 */
export function paperRatioText(versus: PaperRatio['versus'], measure: PaperRatio['measure'], digits = 2): string {
  const r = ODETOLA_RATIOS.find((p) => p.versus === versus && p.measure === measure);
  if (!r?.value) return 'paper values not available here';
  if (r.value.all !== undefined) return r.value.all.toFixed(digits);
  const nets = (['AlexNet', 'GoogleNet', 'SqueezeNet'] as const).filter((k) => r.value![k] !== undefined);
  return `${nets.map((k) => r.value![k]!.toFixed(digits)).join(' / ')} (${nets.join(' / ')})`;
}
