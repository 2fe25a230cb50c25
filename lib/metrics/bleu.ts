/**
 * BLEU (Papineni et al., 2002), corpus level, as used to score generated captions.
 *
 * For n = 1..maxN, the clipped n-gram precision summed over the whole corpus:
 *
 *   pₙ = Σ_hyp Σ_g min(count_hyp(g), max_ref count_ref(g)) / Σ_hyp Σ_g count_hyp(g)
 *
 * (g ranges over the hypothesis's n-grams; a hypothesis's n-gram count is clipped by the
 * largest count of that n-gram in any one of its references.) Then
 *
 *   BLEU-N = BP · exp( (1/N) Σₙ log pₙ )        (0 when some pₙ = 0)
 *   BP     = 1 if c > r, else exp(1 − r / c)
 *
 * with c the total hypothesis length and r the sum over hypotheses of the reference length
 * closest to the hypothesis length (ties go to the shorter reference).
 */
import { checkArgs } from '../core/validate';

export type Sentence = readonly string[];

function ngramCounts(words: Sentence, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= words.length; i++) {
    const key = words.slice(i, i + n).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The reference length closest to `c` (ties: the shorter one). */
function closestRefLength(c: number, refs: readonly Sentence[]): number {
  let best = refs[0].length;
  for (const ref of refs) {
    const d = Math.abs(ref.length - c),
      bd = Math.abs(best - c);
    if (d < bd || (d === bd && ref.length < best)) best = ref.length;
  }
  return best;
}

export interface BleuScores {
  /** BLEU-1 … BLEU-maxN (cumulative, uniform weights), index 0 is BLEU-1. */
  bleu: number[];
  /** Corpus clipped precisions p₁ … p_maxN. */
  precisions: number[];
  brevityPenalty: number;
  /** Total hypothesis length c and effective reference length r. */
  hypLength: number;
  refLength: number;
}

/**
 * Corpus BLEU-1..maxN.
 *
 * @param hypotheses one tokenised hypothesis per item
 * @param references for each item, one or more tokenised references
 * @param maxN highest n-gram order (default 4)
 */
export function corpusBleu(
  hypotheses: readonly Sentence[],
  references: readonly (readonly Sentence[])[],
  maxN = 4,
): BleuScores {
  const c = checkArgs('corpusBleu')
    .number('maxN', maxN, { integer: true, min: 1 })
    .require(
      Array.isArray(hypotheses) && Array.isArray(references),
      "arguments 'hypotheses' and 'references' must be arrays",
    )
    .require(
      hypotheses.length === references.length,
      `got ${hypotheses.length} hypotheses but ${references.length} reference lists`,
    )
    .require(hypotheses.length > 0, 'needs at least one hypothesis');
  references.forEach((refs, i) => c.require(Array.isArray(refs) && refs.length > 0, `item ${i} has no reference`));
  // BEGIN SOLUTION
  const matched = new Array<number>(maxN).fill(0);
  const total = new Array<number>(maxN).fill(0);
  let hypLength = 0,
    refLength = 0;
  hypotheses.forEach((hyp, i) => {
    const refs = references[i];
    hypLength += hyp.length;
    refLength += closestRefLength(hyp.length, refs);
    for (let n = 1; n <= maxN; n++) {
      const maxRef = new Map<string, number>();
      for (const ref of refs) for (const [g, k] of ngramCounts(ref, n)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, k));
      for (const [g, k] of ngramCounts(hyp, n)) {
        matched[n - 1] += Math.min(k, maxRef.get(g) ?? 0);
        total[n - 1] += k;
      }
    }
  });
  const precisions = matched.map((m, i) => (total[i] > 0 ? m / total[i] : 0));
  const brevityPenalty = hypLength === 0 ? 0 : hypLength > refLength ? 1 : Math.exp(1 - refLength / hypLength);
  const bleu: number[] = [];
  let logSum = 0;
  for (let n = 1; n <= maxN; n++) {
    logSum += Math.log(precisions[n - 1]); // −∞ once some pₙ = 0, giving BLEU 0
    bleu.push(brevityPenalty * Math.exp(logSum / n));
  }
  // END SOLUTION
  return { bleu, precisions, brevityPenalty, hypLength, refLength };
}
