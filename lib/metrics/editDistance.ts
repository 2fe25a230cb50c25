/**
 * Levenshtein alignment of a hypothesis to a reference, reporting what kind of error each
 * edit is — the counts the speech notebooks need (a TTS system that skips characters shows
 * up as deletions, one that repeats them as insertions).
 *
 * D[i][j] = edits to turn ref[0..i) into hyp[0..j):
 *
 *   D[i][0] = i (deletions),  D[0][j] = j (insertions)
 *   D[i][j] = min( D[i−1][j−1] + [ref_i ≠ hyp_j]   (match / substitution)
 *                  D[i−1][j] + 1                   (deletion of ref_i)
 *                  D[i][j−1] + 1 )                 (insertion of hyp_j)
 *
 * The traceback from D[|ref|][|hyp|] prefers match/substitution, then deletion, then
 * insertion, so equal-cost alignments are reported the same way every time.
 *
 *   CER = (S + D + I) / |ref|   over a corpus: total edits over total reference characters.
 */
import { checkArgs } from '../core/validate';

export type EditOp = 'match' | 'substitution' | 'deletion' | 'insertion';

export interface Alignment<T> {
  /** The alignment, in order: ref/hyp symbols (absent for insertions/deletions respectively). */
  steps: { op: EditOp; ref?: T; hyp?: T }[];
  substitutions: number;
  deletions: number;
  insertions: number;
  matches: number;
  /** S + D + I (the Levenshtein distance). */
  distance: number;
}

/** Aligns `hyp` to `ref` (strings are compared character by character). */
export function alignEdits<T>(ref: readonly T[] | string, hyp: readonly T[] | string): Alignment<T> {
  checkArgs('alignEdits')
    .require(typeof ref === 'string' || Array.isArray(ref), "argument 'ref' expected a string or an array")
    .require(typeof hyp === 'string' || Array.isArray(hyp), "argument 'hyp' expected a string or an array");
  const r = [...ref] as T[],
    h = [...hyp] as T[];
  const R = r.length,
    H = h.length,
    W = H + 1;
  const D = new Int32Array((R + 1) * W);
  for (let i = 0; i <= R; i++) D[i * W] = i;
  for (let j = 0; j <= H; j++) D[j] = j;
  for (let i = 1; i <= R; i++)
    for (let j = 1; j <= H; j++)
      D[i * W + j] = Math.min(
        D[(i - 1) * W + j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1),
        D[(i - 1) * W + j] + 1,
        D[i * W + j - 1] + 1,
      );
  const steps: Alignment<T>['steps'] = [];
  const count = { match: 0, substitution: 0, deletion: 0, insertion: 0 };
  let i = R,
    j = H;
  while (i > 0 || j > 0) {
    let op: EditOp;
    if (i > 0 && j > 0 && D[i * W + j] === D[(i - 1) * W + j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1)) {
      op = r[i - 1] === h[j - 1] ? 'match' : 'substitution';
      steps.push({ op, ref: r[--i], hyp: h[--j] });
    } else if (i > 0 && D[i * W + j] === D[(i - 1) * W + j] + 1) {
      op = 'deletion';
      steps.push({ op, ref: r[--i] });
    } else {
      op = 'insertion';
      steps.push({ op, hyp: h[--j] });
    }
    count[op]++;
  }
  steps.reverse();
  return {
    steps,
    substitutions: count.substitution,
    deletions: count.deletion,
    insertions: count.insertion,
    matches: count.match,
    distance: D[R * W + H],
  };
}

export interface ErrorRate {
  /** (S + D + I) / N, with N the total reference length. */
  rate: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  /** N: total reference length. */
  refLength: number;
}

/** Corpus-level error rate: total edits over total reference symbols (characters for strings). */
export function errorRate<T>(
  refs: readonly (readonly T[] | string)[],
  hyps: readonly (readonly T[] | string)[],
): ErrorRate {
  checkArgs('errorRate').require(
    Array.isArray(refs) && Array.isArray(hyps) && refs.length === hyps.length,
    `arguments 'refs' and 'hyps' expected arrays of the same length but ` +
      `got ${Array.isArray(refs) ? refs.length : typeof refs} and ${Array.isArray(hyps) ? hyps.length : typeof hyps}`,
  );
  const out = { substitutions: 0, deletions: 0, insertions: 0, refLength: 0 };
  refs.forEach((ref, n) => {
    const a = alignEdits<T>(ref, hyps[n]);
    out.substitutions += a.substitutions;
    out.deletions += a.deletions;
    out.insertions += a.insertions;
    out.refLength += [...ref].length;
  });
  const edits = out.substitutions + out.deletions + out.insertions;
  return { rate: out.refLength > 0 ? edits / out.refLength : edits > 0 ? Infinity : 0, ...out };
}

/** Character error rate of decoded strings against reference strings (see {@link errorRate}). */
export function characterErrorRate(refs: readonly string[], hyps: readonly string[]): ErrorRate {
  return errorRate<string>(refs, hyps);
}

/** {@link errorRate} within each group (e.g. per speaker, voice engine or sentence category), in first-seen order. */
export function errorRateByGroup<T>(
  refs: readonly (readonly T[] | string)[],
  hyps: readonly (readonly T[] | string)[],
  groups: readonly string[],
): ({ group: string; count: number } & ErrorRate)[] {
  checkArgs('errorRateByGroup').require(
    Array.isArray(groups) && groups.length === refs.length,
    `argument 'groups' expected one group per reference (${refs.length}) ` +
      `but got ${Array.isArray(groups) ? groups.length : typeof groups}`,
  );
  return [...new Set(groups)].map((group) => {
    const idx = groups.flatMap((g, i) => (g === group ? [i] : []));
    return {
      group,
      count: idx.length,
      ...errorRate(
        idx.map((i) => refs[i]),
        idx.map((i) => hyps[i]),
      ),
    };
  });
}
