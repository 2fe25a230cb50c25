/**
 * Classification metrics from confusion counts. For one binary label with TP, FP, TN, FN
 * (P = TP + FN positives, N = TN + FP negatives):
 *
 *   accuracy  = (TP + TN) / (P + N)
 *   WA        = (TP · N/P + TN) / (2N)  = (recall + specificity) / 2   (weighted accuracy)
 *   precision = TP / (TP + FP),  recall = TP / P,  F1 = 2 · precision · recall / (precision + recall)
 *   weighted F1 = (P · F1₊ + N · F1₋) / (P + N)   (scikit-learn's average='weighted': F1₊ above,
 *               F1₋ the same with the classes swapped, TN as the hits)
 *
 * A ratio whose denominator is 0 is reported as 0 (scikit-learn's `zero_division=0`).
 * Macro averages are the unweighted mean over classes; micro averages pool the counts.
 */
import { checkArgs } from '../core/validate';

/** Confusion counts of one binary label. */
export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Metrics of one binary label. */
export interface BinaryMetrics {
  accuracy: number;
  weightedAccuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Number of positives P. */
  support: number;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function checkBinary(fn: string, pred: ArrayLike<number | boolean>, truth: ArrayLike<number | boolean>): void {
  checkArgs(fn).require(
    pred.length === truth.length,
    `pred and truth must have the same length, got ${pred.length} and ${truth.length}`,
  );
}

/** Fraction of positions where `pred` equals `truth` (class ids). */
export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkBinary('accuracy', pred, truth);
  checkArgs('accuracy').require(pred.length > 0, 'needs at least one prediction');
  let hits = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) hits++;
  return hits / pred.length;
}

/** TP, FP, TN, FN of binary predictions (truthy = positive). */
export function binaryCounts(pred: ArrayLike<number | boolean>, truth: ArrayLike<number | boolean>): BinaryCounts {
  checkBinary('binaryCounts', pred, truth);
  const c: BinaryCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < pred.length; i++) {
    const p = Boolean(pred[i]);
    const t = Boolean(truth[i]);
    if (p && t) c.tp++;
    else if (p) c.fp++;
    else if (t) c.fn++;
    else c.tn++;
  }
  return c;
}

/** Weighted accuracy WA = (TP·N/P + TN) / (2N) — positives re-weighted to count as much as negatives. */
export function weightedAccuracy(c: BinaryCounts): number {
  // BEGIN SOLUTION
  const P = c.tp + c.fn;
  const N = c.tn + c.fp;
  if (P === 0) return ratio(c.tn, N);
  if (N === 0) return ratio(c.tp, P);
  return (c.tp * (N / P) + c.tn) / (2 * N);
  // END SOLUTION
}

/** All metrics of one binary label from its counts. */
export function binaryMetrics(c: BinaryCounts): BinaryMetrics {
  // BEGIN SOLUTION
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    accuracy: ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn),
    weightedAccuracy: weightedAccuracy(c),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    support: c.tp + c.fn,
  };
  // END SOLUTION
}

/** Weighted F1 of one binary label: both classes' F1, weighted by their supports P and N. */
export function weightedF1(c: BinaryCounts): number {
  const f1 = (hits: number, falseAlarms: number, misses: number): number => {
    const precision = ratio(hits, hits + falseAlarms);
    const recall = ratio(hits, hits + misses);
    return ratio(2 * precision * recall, precision + recall);
  };
  const P = c.tp + c.fn;
  const N = c.tn + c.fp;
  return ratio(P * f1(c.tp, c.fp, c.fn) + N * f1(c.tn, c.fn, c.fp), P + N);
}

/** A threshold-tuning target: a field of {@link BinaryMetrics}, or the weighted F1. */
export type TunedMetric = 'f1' | 'weightedAccuracy' | 'weightedF1';

/** The value of `metric` for confusion counts `c`. */
export function metricOf(c: BinaryCounts, metric: TunedMetric): number {
  return metric === 'weightedF1' ? weightedF1(c) : binaryMetrics(c)[metric];
}

/** Per-class metrics of a multi-label problem plus macro and micro averages. */
export interface MultiLabelReport {
  perClass: BinaryMetrics[];
  counts: BinaryCounts[];
  macro: { precision: number; recall: number; f1: number; weightedAccuracy: number };
  micro: { precision: number; recall: number; f1: number };
}

/**
 * Multi-label report of 0/1 predictions `pred[n][c]` against targets `truth[n][c]`.
 * Macro = mean of per-class values; micro = metrics of the summed counts.
 */
export function multiLabelReport(
  pred: readonly (readonly number[])[],
  truth: readonly (readonly number[])[],
): MultiLabelReport {
  const C = truth[0]?.length ?? 0;
  checkArgs('multiLabelReport')
    .require(
      pred.length === truth.length && pred.length > 0,
      `pred and truth must have the same non-zero number of rows, got ${pred.length} and ${truth.length}`,
    )
    .require(
      pred.every((r, n) => r.length === C && truth[n].length === C),
      `every row must have C=${C} labels`,
    );
  const counts = Array.from({ length: C }, (_, c) =>
    binaryCounts(
      pred.map((r) => r[c]),
      truth.map((r) => r[c]),
    ),
  );
  const perClass = counts.map(binaryMetrics);
  const mean = (f: (m: BinaryMetrics) => number): number => perClass.reduce((s, m) => s + f(m), 0) / C;
  const pooled = counts.reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, tn: a.tn + c.tn, fn: a.fn + c.fn }), {
    tp: 0,
    fp: 0,
    tn: 0,
    fn: 0,
  });
  const micro = binaryMetrics(pooled);
  return {
    perClass,
    counts,
    macro: {
      precision: mean((m) => m.precision),
      recall: mean((m) => m.recall),
      f1: mean((m) => m.f1),
      weightedAccuracy: mean((m) => m.weightedAccuracy),
    },
    micro: { precision: micro.precision, recall: micro.recall, f1: micro.f1 },
  };
}

/** One label's metrics at each threshold of `thresholds` (score ≥ threshold ⇒ positive). */
export function thresholdCurve(
  scores: ArrayLike<number>,
  truth: ArrayLike<number | boolean>,
  thresholds: readonly number[],
): BinaryMetrics[] {
  checkBinary('thresholdCurve', scores, truth);
  return thresholds.map((t) =>
    binaryMetrics(
      binaryCounts(
        Array.from(scores, (s) => s >= t),
        truth,
      ),
    ),
  );
}

/**
 * Per-class thresholds maximising `metric` ('f1', 'weightedAccuracy' or 'weightedF1') on
 * held-out scores `scores[n][c]` (probabilities) and targets; ties keep the lowest threshold.
 */
export function tuneThresholds(
  scores: readonly (readonly number[])[],
  truth: readonly (readonly number[])[],
  opts: { metric?: TunedMetric; thresholds?: readonly number[] } = {},
): number[] {
  const grid = opts.thresholds ?? Array.from({ length: 19 }, (_, i) => (i + 1) / 20);
  const metric = opts.metric ?? 'f1';
  const C = truth[0]?.length ?? 0;
  checkArgs('tuneThresholds').require(
    scores.length === truth.length && scores.length > 0,
    'scores and truth must have the same non-zero number of rows',
  );
  checkArgs('tuneThresholds').require(
    metric === 'f1' || metric === 'weightedAccuracy' || metric === 'weightedF1',
    `argument 'opts.metric' expected 'f1', 'weightedAccuracy' or 'weightedF1' but got '${metric}'`,
  );
  return Array.from({ length: C }, (_, c) => {
    const column = truth.map((r) => r[c]);
    const curve = grid.map((t) =>
      metricOf(
        binaryCounts(
          scores.map((r) => r[c] >= t),
          column,
        ),
        metric,
      ),
    );
    let best = 0;
    curve.forEach((m, i) => {
      if (m > curve[best]) best = i;
    });
    return grid[best];
  });
}
