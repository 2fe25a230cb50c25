/** Corpus BLEU against hand-worked examples (the arithmetic is in the comments). */
import { describe, expect, it } from 'vitest';
import { corpusBleu } from '../lib/metrics/bleu';

const w = (s: string): string[] => s.split(' ');

describe('corpusBleu', () => {
  it('clips a repeated word by its largest count in any one reference (Papineni et al.)', () => {
    // hyp: "the" ×7. ref1 has "the" ×2, ref2 ×1 → clipped count min(7, max(2, 1)) = 2, p₁ = 2/7.
    // c = 7; reference lengths 6 and 7 → closest r = 7, c ≥ r so BP = 1 → BLEU-1 = 2/7.
    // Bigrams: "the the" ×6 appears in no reference → p₂ = 0 → BLEU-2 = 0.
    const s = corpusBleu(
      [w('the the the the the the the')],
      [[w('the cat is on the mat'), w('there is a cat on the mat')]],
      2,
    );
    expect(s.precisions[0]).toBeCloseTo(2 / 7, 12);
    expect(s.brevityPenalty).toBe(1);
    expect(s.bleu[0]).toBeCloseTo(2 / 7, 12);
    expect(s.bleu[1]).toBe(0);
  });

  it('sums clipped counts over the corpus before dividing, with the brevity penalty', () => {
    // A: "a red shoe above a blue bag" = its reference → n-grams all match: 7/7, 6/6, 5/5, 4/4.
    // B: "a green bag" vs "a green coat left of a red bag":
    //    unigrams a, green, bag all in ref → 3/3; bigrams "a green" ✓, "green bag" ✗ → 1/2;
    //    trigram "a green bag" ✗ → 0/1; no 4-grams.
    // Corpus: p₁ = 10/10, p₂ = 7/8, p₃ = 5/6, p₄ = 4/4.
    // c = 7 + 3 = 10, r = 7 + 8 = 15 → BP = exp(1 − 15/10) = exp(−0.5) ≈ 0.60653.
    // BLEU-1 = 0.60653, BLEU-2 = BP·(7/8)^(1/2) ≈ 0.56736,
    // BLEU-3 = BP·(1·7/8·5/6)^(1/3) ≈ 0.54592, BLEU-4 = BP·(7/8·5/6)^(1/4) ≈ 0.56048.
    const s = corpusBleu(
      [w('a red shoe above a blue bag'), w('a green bag')],
      [[w('a red shoe above a blue bag')], [w('a green coat left of a red bag')]],
    );
    const bp = Math.exp(-0.5);
    expect(s.precisions).toEqual([1, 7 / 8, 5 / 6, 1].map((p) => expect.closeTo(p, 12)));
    expect(s.hypLength).toBe(10);
    expect(s.refLength).toBe(15);
    expect(s.brevityPenalty).toBeCloseTo(bp, 12);
    const expected = [
      bp,
      bp * (7 / 8) ** (1 / 2),
      bp * ((7 / 8) * (5 / 6)) ** (1 / 3),
      bp * ((7 / 8) * (5 / 6)) ** (1 / 4),
    ];
    s.bleu.forEach((b, i) => expect(b, `BLEU-${i + 1}`).toBeCloseTo(expected[i], 12));
    expect(s.bleu.map((b) => +b.toFixed(5))).toEqual([0.60653, 0.56736, 0.54592, 0.56048]);
  });

  it('uses the reference length closest to the hypothesis (ties → shorter)', () => {
    // c = 5, references of length 4 and 6 tie at distance 1 → r = 4 → c > r → BP = 1.
    expect(corpusBleu([w('a b c d e')], [[w('a b c d'), w('a b c d e f')]], 1).refLength).toBe(4);
    // c = 4, references of length 6 and 9 → r = 6 → BP = exp(1 − 6/4) = exp(−0.5);
    // p₁: "a b x y" has a, b in the ref → 2/4 → BLEU-1 = 0.5·exp(−0.5).
    const s = corpusBleu([w('a b x y')], [[w('a b c d e f'), w('a b c d e f g h i')]], 1);
    expect(s.refLength).toBe(6);
    expect(s.bleu[0]).toBeCloseTo(0.5 * Math.exp(-0.5), 12);
  });

  it('is 1 for a perfect corpus and rejects mismatched inputs', () => {
    const s = corpusBleu([w('a red bag left of a blue shirt')], [[w('a red bag left of a blue shirt')]]);
    expect(s.bleu).toEqual([1, 1, 1, 1]);
    expect(() => corpusBleu([w('a')], [])).toThrow('corpusBleu: got 1 hypotheses but 0 reference lists');
    expect(() => corpusBleu([w('a')], [[]])).toThrow('corpusBleu: item 0 has no reference');
  });
});
