/**
 * CTC prefix beam search: an approximate search for the most likely *labelling*
 * l* = argmax_l p(l | u) = argmax_l Σ_{π ∈ B⁻¹(l)} Π_t y_t(π_t), summing over paths as it goes.
 *
 * Each hypothesis is a prefix ℓ with two probabilities after frame t: p_b(ℓ) of the paths
 * collapsing to ℓ whose last symbol is a blank, and p_nb(ℓ) of those ending in ℓ's last
 * label. From frame t to t + 1, with y = y_{t+1}:
 *
 *   blank:                  p_b'(ℓ)   += (p_b(ℓ) + p_nb(ℓ)) · y(∅)
 *   repeat last label e:    p_nb'(ℓ)  += p_nb(ℓ) · y(e)             (merges into ℓ)
 *   new label k (≠ e):      p_nb'(ℓk) += (p_b(ℓ) + p_nb(ℓ)) · y(k)
 *   k = e after a blank:    p_nb'(ℓe) += p_b(ℓ) · y(e)              (a blank separates the two e's)
 *
 * and only the `beamWidth` prefixes with the largest p_b + p_nb survive. All in log space.
 * With beamWidth = 1 it is close to, but not the same as, greedy decoding.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { logAddExp } from '../losses/ctc';

interface Beam {
  prefix: number[];
  logB: number;
  logNb: number;
}

const total = (b: Beam): number => logAddExp(b.logB, b.logNb);

/** Prefix beam search over one sequence's log-probabilities, row-major [T, C]. */
function searchOne(logProbs: Float32Array, T: number, C: number, beamWidth: number, blank: number): number[] {
  let beams: Beam[] = [{ prefix: [], logB: 0, logNb: -Infinity }];
  for (let t = 0; t < T; t++) {
    const y = logProbs.subarray(t * C, (t + 1) * C);
    const next = new Map<string, Beam>();
    const at = (prefix: number[]): Beam => {
      const key = prefix.join(',');
      let b = next.get(key);
      if (!b) next.set(key, (b = { prefix, logB: -Infinity, logNb: -Infinity }));
      return b;
    };
    for (const beam of beams) {
      const all = total(beam);
      const stay = at(beam.prefix);
      stay.logB = logAddExp(stay.logB, all + y[blank]);
      const last = beam.prefix.length > 0 ? beam.prefix[beam.prefix.length - 1] : -1;
      if (last >= 0) stay.logNb = logAddExp(stay.logNb, beam.logNb + y[last]);
      for (let k = 0; k < C; k++) {
        if (k === blank) continue;
        const grown = at([...beam.prefix, k]);
        grown.logNb = logAddExp(grown.logNb, (k === last ? beam.logB : all) + y[k]);
      }
    }
    beams = [...next.values()].sort((a, b) => total(b) - total(a)).slice(0, beamWidth);
  }
  return beams[0].prefix;
}

/**
 * @param logits [N, T, C] unnormalised scores (a log-softmax is taken per frame)
 * @param inputLengths frames of each sequence, in [1, T]
 * @param opts `beamWidth` (default 8), `blank` (default 0)
 * @returns the best labelling found for each sequence
 */
export function ctcPrefixBeamSearch(
  logits: tf.Tensor,
  inputLengths: number[],
  opts: { beamWidth?: number; blank?: number } = {},
): number[][] {
  const { beamWidth = 8, blank = 0 } = opts;
  const c = checkArgs('ctcPrefixBeamSearch').tensor('logits', logits, ['N', 'T', 'C'], 'float32');
  const { N, T, C } = c.dims;
  c.number('beamWidth', beamWidth, { integer: true, min: 1 })
    .number('blank', blank, { integer: true, min: 0, max: C - 1 })
    .require(
      Array.isArray(inputLengths) && inputLengths.length === N,
      `argument 'inputLengths' expected N=${N} lengths`,
    );
  inputLengths.forEach((len, n) =>
    c.require(
      Number.isInteger(len) && len >= 1 && len <= T,
      `argument 'inputLengths' expected integers in [1, T=${T}] but element ${n} is ${len}`,
    ),
  );
  const lp = tf.tidy(() => tf.logSoftmax(logits, 2));
  const all = lp.dataSync() as Float32Array;
  lp.dispose();
  return inputLengths.map((len, n) => searchOne(all.subarray(n * T * C, (n * T + len) * C), len, C, beamWidth, blank));
}
