/** Spearman's ρ: hand-computed values, ties, invariance to monotone maps, argument errors. */
import { describe, expect, it } from 'vitest';
import { ranks, spearman, pearson } from '../lib/metrics/rankCorrelation';

describe('rank correlation', () => {
  it('ranks ties by their mean rank', () => {
    expect(Array.from(ranks([10, 30, 20, 30]))).toEqual([1, 3.5, 2, 3.5]);
  });

  it('matches hand-computed values and ignores monotone rescaling', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks [1,2,3,4] vs [2,1,4,3]: ρ = 1 − 6·Σd²/(n(n²−1)) = 1 − 6·4/60 = 0.6
    expect(spearman([1, 2, 3, 4], [5, 1, 9, 7])).toBeCloseTo(0.6, 12);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
  });

  it('names bad arguments', () => {
    expect(() => spearman([1, 2], [1])).toThrow(
      "spearman: arguments 'a', 'b' expected equal lengths ≥ 2 but got 2 and 1",
    );
    expect(() => spearman([1, NaN], [1, 2])).toThrow("spearman: argument 'a' has a non-finite value NaN at index 1");
  });
});
