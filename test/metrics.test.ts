/** Classification metrics on hand-worked confusion counts. */
import { describe, expect, it } from 'vitest';
import { confusionSummary } from '../lib/metrics/confusions';
import {
  accuracy,
  binaryCounts,
  binaryMetrics,
  multiLabelReport,
  thresholdCurve,
  tuneThresholds,
  weightedAccuracy,
  weightedF1,
} from '../lib/metrics/classification';

describe('binary metrics', () => {
  // truth:  1 1 1 1 0 0 0 0 0 0   (P = 4, N = 6)
  // pred:   1 1 1 0 1 0 0 0 0 0   → TP 3, FN 1, FP 1, TN 5
  const truth = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const pred = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0];
  it('counts and derives accuracy, WA, precision, recall, F1', () => {
    const c = binaryCounts(pred, truth);
    expect(c).toEqual({ tp: 3, fp: 1, tn: 5, fn: 1 });
    const m = binaryMetrics(c);
    expect(m.accuracy).toBeCloseTo(8 / 10, 12);
    // WA = (TP·N/P + TN) / 2N = (3·6/4 + 5) / 12 = 9.5 / 12
    expect(m.weightedAccuracy).toBeCloseTo(9.5 / 12, 12);
    expect(m.weightedAccuracy).toBeCloseTo((3 / 4 + 5 / 6) / 2, 12); // = (recall + specificity)/2
    expect(m.precision).toBeCloseTo(3 / 4, 12);
    expect(m.recall).toBeCloseTo(3 / 4, 12);
    expect(m.f1).toBeCloseTo(3 / 4, 12);
    expect(m.support).toBe(4);
    // weighted F1 (scikit-learn average='weighted'): F1₊ = 3/4; the negatives' F1₋: precision
    // TN/(TN+FN) = 5/6, recall TN/N = 5/6 → 5/6; weighted by P = 4, N = 6: (4·3/4 + 6·5/6)/10 = 0.8
    expect(weightedF1(c)).toBeCloseTo(0.8, 12);
  });
  it('reports 0 for empty denominators and handles one-class labels', () => {
    const m = binaryMetrics({ tp: 0, fp: 0, tn: 5, fn: 2 });
    expect([m.precision, m.recall, m.f1]).toEqual([0, 0, 0]);
    expect(weightedAccuracy({ tp: 0, fp: 1, tn: 3, fn: 0 })).toBeCloseTo(3 / 4, 12); // no positives: specificity
    expect(accuracy([0, 2, 1], [0, 1, 1])).toBeCloseTo(2 / 3, 12);
    expect(() => accuracy([1], [1, 2])).toThrow(/accuracy: pred and truth must have the same length/);
  });
});

describe('multi-label report', () => {
  // class 0: TP 2 FP 0 TN 1 FN 1; class 1: TP 1 FP 1 TN 2 FN 0.
  const truth = [
    [1, 0],
    [1, 1],
    [1, 0],
    [0, 0],
  ];
  const pred = [
    [1, 1],
    [1, 1],
    [0, 0],
    [0, 0],
  ];
  it('gives per-class, macro and micro values', () => {
    const r = multiLabelReport(pred, truth);
    expect(r.counts).toEqual([
      { tp: 2, fp: 0, tn: 1, fn: 1 },
      { tp: 1, fp: 1, tn: 2, fn: 0 },
    ]);
    // class 0: P = 1, R = 2/3, F1 = 0.8; class 1: P = 1/2, R = 1, F1 = 2/3
    expect(r.perClass[0].f1).toBeCloseTo(0.8, 12);
    expect(r.perClass[1].f1).toBeCloseTo(2 / 3, 12);
    expect(r.macro.precision).toBeCloseTo(0.75, 12);
    expect(r.macro.recall).toBeCloseTo(5 / 6, 12);
    expect(r.macro.f1).toBeCloseTo((0.8 + 2 / 3) / 2, 12);
    // WA: class 0 = (2·1/3 + 1)/2 = 5/6; class 1 = (1·3/1 + 2)/6 = 5/6
    expect(r.macro.weightedAccuracy).toBeCloseTo(5 / 6, 12);
    // micro: TP 3, FP 1, FN 1 → P = R = F1 = 3/4
    expect(r.micro).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75 });
  });
  it('tunes per-class thresholds on scores and traces curves', () => {
    const scores = [
      [0.9, 0.2],
      [0.6, 0.7],
      [0.4, 0.1],
      [0.3, 0.35],
    ];
    const truthS = [
      [1, 0],
      [1, 1],
      [1, 0],
      [0, 0],
    ];
    // class 0 best F1 at t ≤ 0.4 (all three positives, one FP at 0.3 only if t ≤ 0.3): t = 0.35 → F1 1.
    expect(tuneThresholds(scores, truthS, { thresholds: [0.25, 0.35, 0.5, 0.8] })).toEqual([0.35, 0.5]);
    expect(tuneThresholds(scores, truthS, { metric: 'weightedF1', thresholds: [0.25, 0.35] })[0]).toBe(0.35);
    expect(() => tuneThresholds(scores, truthS, { metric: 'auc' as 'f1' })).toThrow(
      "tuneThresholds: argument 'opts.metric' expected 'f1', 'weightedAccuracy' or 'weightedF1' but got 'auc'",
    );
    const curve = thresholdCurve([0.9, 0.6, 0.4, 0.3], [1, 1, 1, 0], [0.5, 0.95]);
    expect(curve[0].recall).toBeCloseTo(2 / 3, 12);
    expect(curve[1]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });
});

describe('confusionSummary', () => {
  it('counts substitutions, deletions and insertions over all pairs, most frequent first', () => {
    // "cat" → "cut": a→u; "the dog" → "thedog": a deleted space; "ab" → "abb": an inserted b; "aa" → "uu": a→u twice
    const s = confusionSummary(['cat', 'the dog', 'ab', 'aa'], ['cut', 'thedog', 'abb', 'uu'], 2);
    expect(s.referenceCharacters).toBe(14);
    expect(s.substitutions).toEqual([{ edit: 'a→u', count: 3, share: 3 / 14 }]);
    expect(s.deletions).toEqual([{ edit: '␣', count: 1, share: 1 / 14 }]);
    expect(s.insertions).toEqual([{ edit: 'b', count: 1, share: 1 / 14 }]);
    expect(() => confusionSummary(['a'], [])).toThrow("confusionSummary: arguments 'refs' and 'hyps' expected");
  });
});
