/**
 * A corpus error rate, and the difference of two systems' rates on the same utterances, with
 * bootstrap intervals that respect how the test set was sampled.
 *
 *   rate = Σᵤ Eᵤ / Σᵤ Nᵤ      Eᵤ = Sᵤ + Dᵤ + Iᵤ, the edits of utterance u; Nᵤ its reference length
 *
 * Utterances of one speaker (or of one sentence) are not independent draws: a voice the model
 * hears badly raises all of its utterances at once. So the resampling unit is the *cluster*
 * (a speaker, a sentence): each resample draws as many clusters as there are, with
 * replacement, and pools the edits and lengths of their utterances. With few clusters the
 * interval is wide, which is the honest answer to "how would a new speaker fare". A rate lies
 * in [0, ∞) (insertions can exceed N), and so does every resample. A difference A − B is
 * paired: both systems' rates are pooled over the same drawn clusters.
 */
import { checkArgs } from '../core/validate';
import {
  resampleDifference,
  resampleInterval,
  type BootstrapOptions,
  type Interval,
  type PairedDifference,
} from './statistics';
import { alignEdits } from '../metrics/editDistance';

export interface ErrorRateInterval extends Interval {
  /** How many clusters were resampled (utterances when no clusters are given). */
  clusters: number;
}

type Transcripts<T> = readonly (readonly T[] | string)[];
type ClusterOptions = BootstrapOptions & { clusters?: readonly string[] };

/** Edits and reference lengths summed within each cluster, after checking the arguments. */
function tallyByCluster<T>(
  fn: string,
  refs: Transcripts<T>,
  hyps: readonly Transcripts<T>[],
  clusters: readonly string[] | undefined,
): { edits: number[][]; lengths: number[] } {
  const check = checkArgs(fn);
  check.require(
    Array.isArray(refs) && refs.length > 0 && hyps.every((h) => Array.isArray(h) && h.length === refs.length),
    `arguments 'refs' and the hypotheses expected non-empty arrays of the same length but got ` +
      [refs, ...hyps].map((a) => (Array.isArray(a) ? a.length : typeof a)).join(', '),
  );
  const labels = clusters ?? refs.map((_, u) => String(u));
  check.require(
    Array.isArray(labels) && labels.length === refs.length,
    `argument 'clusters' expected one label per utterance (${refs.length}) but got ` +
      `${Array.isArray(labels) ? labels.length : typeof labels}`,
  );
  const index = new Map([...new Set(labels)].map((name, c) => [name, c]));
  const edits = hyps.map(() => new Array<number>(index.size).fill(0));
  const lengths = new Array<number>(index.size).fill(0);
  refs.forEach((ref, u) => {
    const c = index.get(labels[u])!;
    lengths[c] += [...ref].length;
    hyps.forEach((h, s) => {
      const a = alignEdits<T>(ref, h[u]);
      edits[s][c] += a.substitutions + a.deletions + a.insertions;
    });
  });
  check.require(
    lengths.some((n) => n > 0),
    "argument 'refs' expected at least one non-empty reference",
  );
  return { edits, lengths };
}

/** Σ edits / Σ lengths over the drawn clusters (0 when they hold no reference characters). */
function pooled(edits: readonly number[], lengths: readonly number[], drawn: readonly number[]): number {
  let [e, n] = [0, 0];
  for (const c of drawn) [e, n] = [e + edits[c], n + lengths[c]];
  return n > 0 ? e / n : 0;
}

const bootstrapOf = (o: ClusterOptions): BootstrapOptions => ({
  resamples: o.resamples,
  seed: o.seed,
  level: o.level,
});

/**
 * The pooled error rate of `hyps` against `refs` with a percentile bootstrap interval,
 * resampling `opts.clusters` (one label per utterance, e.g. its speaker; default: each
 * utterance its own cluster).
 */
export function errorRateInterval<T>(
  refs: Transcripts<T>,
  hyps: Transcripts<T>,
  opts: ClusterOptions = {},
): ErrorRateInterval {
  const { edits, lengths } = tallyByCluster('errorRateInterval', refs, [hyps], opts.clusters);
  const interval = resampleInterval(
    1,
    lengths.length,
    (_, drawn) => pooled(edits[0], lengths, drawn),
    bootstrapOf(opts),
  );
  return { ...interval, clusters: lengths.length };
}

/**
 * Error rate of `hypsA` minus that of `hypsB` on the same utterances, with a paired bootstrap
 * over `opts.clusters` (see {@link errorRateInterval}); `items` of the result counts clusters.
 */
export function errorRateDifference<T>(
  refs: Transcripts<T>,
  hypsA: Transcripts<T>,
  hypsB: Transcripts<T>,
  opts: ClusterOptions = {},
): PairedDifference {
  const { edits, lengths } = tallyByCluster('errorRateDifference', refs, [hypsA, hypsB], opts.clusters);
  return resampleDifference(
    1,
    lengths.length,
    (_, drawn) => pooled(edits[0], lengths, drawn) - pooled(edits[1], lengths, drawn),
    bootstrapOf(opts),
  );
}
