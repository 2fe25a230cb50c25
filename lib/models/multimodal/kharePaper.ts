/**
 * Khare, Parthasarathy & Sundaram, "Multi-modal embeddings using multi-task learning for
 * emotion recognition" (Interspeech 2020): Tables 1–3 as printed (CMU-MOSEI test, weighted
 * accuracy WA and F1 in %, per emotion and averaged; Table 3: averages with modalities removed),
 * for printing beside ours. Each condition's model is the best of 10 runs by the dev mean of WA
 * and F1 (§5); the thresholds of WA and F1 are tuned separately on dev.
 */

export const KHARE_SOURCE = 'Khare et al., Interspeech 2020';

export const KHARE_EMOTIONS = ['Happy', 'Sad', 'Anger', 'Surprise', 'Disgust', 'Fear', 'Average'] as const;

/** One row of Table 1 or 2: [WA, F1] per emotion and for the average, in %. */
export type KhareRow = Record<(typeof KHARE_EMOTIONS)[number], [number, number]>;

const khareRow = (v: number[]): KhareRow =>
  Object.fromEntries(KHARE_EMOTIONS.map((e, i) => [e, [v[2 * i], v[2 * i + 1]]])) as KhareRow;

/** Table 1: baselines on CMU-MOSEI (the first three from other publications; TF is the transformer). */
export const KHARE_TABLE_1: Record<string, KhareRow> = {
  'M-ELMo + NN (A+T)': khareRow([67.0, 65.2, 63.1, 72.0, 65.8, 74.7, 63.8, 83.3, 74.2, 81.7, 63.2, 85.1, 66.2, 77.0]),
  'Graph-MFN': khareRow([66.3, 66.3, 60.4, 66.9, 62.6, 72.8, 53.7, 85.5, 69.1, 76.6, 62.0, 89.9, 62.3, 76.3]),
  'CIM-Att-STL': khareRow([53.6, 67.0, 61.4, 72.4, 66.8, 75.9, 60.6, 86.0, 72.7, 81.9, 62.2, 87.9, 62.8, 78.6]),
  'Late Fusion': khareRow([66.2, 66.3, 63.7, 71.8, 66.2, 73.6, 62.2, 87.8, 74.1, 83.3, 62.3, 86.6, 65.8, 78.2]),
  TF: khareRow([67.8, 67.5, 63.9, 72.9, 66.8, 74.5, 60.6, 88.0, 74.8, 82.3, 64.4, 86.1, 66.4, 78.5]),
};

/** Table 2: the transformer baseline vs initialised from the multi-task model (VoxCeleb2). */
export const KHARE_TABLE_2: Record<string, KhareRow> = {
  Baseline: KHARE_TABLE_1.TF,
  'Embeddings from the Multi-task model': khareRow([
    67.5, 67.7, 65.4, 71.3, 67.0, 75.8, 63.9, 87.8, 74.9, 83.4, 64.2, 86.9, 67.1, 78.8,
  ]),
};

export const KHARE_CONDITIONS = ['A', 'A+V', 'A+T', 'A+V+T'] as const;

/** Table 3: average [WA, F1] (%) over the 6 emotions with only these modalities present. */
export const KHARE_TABLE_3: Record<string, Record<(typeof KHARE_CONDITIONS)[number], [number, number]>> = {
  Baseline: { A: [57.2, 74.4], 'A+V': [60.3, 76.3], 'A+T': [65.8, 77.8], 'A+V+T': [66.5, 78.5] },
  'Embeddings from the Multi-task model': {
    A: [57.6, 75.1],
    'A+V': [60.9, 76.4],
    'A+T': [66.2, 78.4],
    'A+V+T': [67.1, 78.8],
  },
};

/** A Table 1/2-style table as rows for showTable: one column per emotion and metric. */
export function khareTableRows(table: Record<string, KhareRow>): Record<string, string | number>[] {
  return Object.entries(table).map(([model, row]) => ({
    model,
    ...Object.fromEntries(
      KHARE_EMOTIONS.flatMap((e) => [
        [`${e} WA`, row[e][0]],
        [`${e} F1`, row[e][1]],
      ]),
    ),
  }));
}
