/**
 * A character (label) n-gram language model for CTC decoding, by interpolated absolute
 * discounting (Ney, Essen & Kneser, 1994):
 *
 *   P(w | h) = max(c(h w) − D, 0) / c(h ·)  +  D · N₁₊(h ·) / c(h ·) · P(w | h⁻)
 *
 * where h is the n − 1 labels before w, h⁻ drops h's oldest label, c(h w) counts w after h in
 * the training text, c(h ·) = Σ_w c(h w), N₁₊(h ·) counts the distinct w seen after h, and
 * D ∈ (0, 1) is the discount. A history never seen (c(h ·) = 0) backs off entirely,
 * P(w | h) = P(w | h⁻); the recursion ends in the uniform 1/V. Every P(· | h) sums to 1.
 *
 * Labels are a CTC alphabet's ids 0..V−1. Id 0, the blank, never occurs inside a labelling, so
 * the model lets it stand for the sentence boundary: histories start padded with 0s and each
 * sentence ends by predicting 0.
 */
import { checkArgs } from '../core/validate';

/** What a decoder asks of a label language model. */
export interface LabelLanguageModel {
  /** V: the labels 0..V−1 it scores (0: the sentence boundary). */
  readonly vocabSize: number;
  /** n: it conditions on the last n − 1 labels. */
  readonly order: number;
  /** log P(w | history) for every w in 0..V−1 (w = 0: the sentence ends here). */
  nextLogProbs(history: readonly number[]): Float64Array;
}

interface HistoryCounts {
  total: number;
  next: Map<number, number>;
}

/**
 * Fits an order-`order` model on label sequences (without blanks, e.g. `textToIds` of the
 * training sentences) over labels 0..`vocabSize`−1.
 */
export function fitLabelNgram(
  sequences: readonly (readonly number[])[],
  opts: { order: number; vocabSize: number; discount?: number },
): LabelLanguageModel {
  const { order, vocabSize, discount = 0.75 } = opts;
  const check = checkArgs('fitLabelNgram')
    .number('order', order, { integer: true, min: 1, max: 8 })
    .number('vocabSize', vocabSize, { integer: true, min: 2, max: 256 })
    .number('discount', discount, { min: 0, exclusiveMin: true, max: 1 });
  check.require(
    Array.isArray(sequences) && sequences.length > 0,
    `argument 'sequences' expected a non-empty array of label sequences`,
  );
  sequences.forEach((s, i) => {
    const bad = Array.isArray(s) ? s.findIndex((k) => !(Number.isInteger(k) && k >= 1 && k < vocabSize)) : 0;
    check.require(
      bad < 0,
      `argument 'sequences' expected labels in [1, ${vocabSize}) but sequence ${i} ` +
        (Array.isArray(s) ? `holds ${s[bad]} at ${bad}` : `is ${typeof s}`),
    );
  });
  // counts[k]: histories of length k (k = 0..order−1), keyed by historyKey
  const counts = Array.from({ length: order }, () => new Map<number, HistoryCounts>());
  const keyOf = (h: readonly number[]): number => h.reduce((key, k) => key * (vocabSize + 1) + k + 1, 0);
  for (const s of sequences) {
    const padded = [...new Array<number>(order - 1).fill(0), ...s, 0];
    for (let t = order - 1; t < padded.length; t++)
      for (let k = 0; k < order; k++) {
        const key = keyOf(padded.slice(t - k, t));
        let h = counts[k].get(key);
        if (!h) counts[k].set(key, (h = { total: 0, next: new Map() }));
        h.total++;
        h.next.set(padded[t], (h.next.get(padded[t]) ?? 0) + 1);
      }
  }
  const memo = new Map<number, Float64Array>();
  /** P(· | the last k labels of h), as probabilities. */
  const probs = (h: readonly number[], k: number): Float64Array => {
    const lower = k === 0 ? new Float64Array(vocabSize).fill(1 / vocabSize) : probs(h, k - 1);
    const c = counts[k].get(keyOf(h.slice(h.length - k)));
    if (!c) return lower;
    const p = lower.map((q) => (discount * c.next.size * q) / c.total);
    for (const [w, n] of c.next) p[w] += (n - discount) / c.total;
    return p;
  };
  return {
    vocabSize,
    order,
    nextLogProbs(history: readonly number[]): Float64Array {
      const h = [...new Array<number>(order - 1).fill(0), ...history].slice(history.length);
      const key = keyOf(h);
      let lp = memo.get(key);
      if (!lp) {
        const bad = h.findIndex((k) => !(Number.isInteger(k) && k >= 0 && k < vocabSize));
        checkArgs('nextLogProbs').require(
          bad < 0,
          `argument 'history' expected labels in [0, ${vocabSize}) but holds ${h[bad]}`,
        );
        memo.set(key, (lp = probs(h, order - 1).map(Math.log)));
      }
      return lp;
    },
  };
}
