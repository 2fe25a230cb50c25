/**
 * Greedy (best-path) CTC decoding: take the most likely symbol at every frame, then apply
 * the collapse map B — merge runs of equal symbols, drop blanks:
 *
 *   π̂_t = argmax_k y_t(k),   l̂ = B(π̂).
 *
 * This is the most likely *path*, not the most likely *labelling* (which sums over paths;
 * see {@link ctcPrefixBeamSearch}), but on a confident network the two rarely differ.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** B(path): merge runs of equal symbols, then drop blanks. */
export function ctcCollapse(path: ArrayLike<number>, blank = 0): number[] {
  const out: number[] = [];
  let prev = -1;
  for (let t = 0; t < path.length; t++) {
    const k = path[t];
    if (k !== prev && k !== blank) out.push(k);
    prev = k;
  }
  return out;
}

/**
 * @param logits [N, T, C] scores, log-probabilities or probabilities (only the argmax matters)
 * @param inputLengths frames of each sequence, in [1, T] (frames beyond are padding)
 * @returns N label sequences
 */
export function ctcGreedyDecode(logits: tf.Tensor, inputLengths: number[], blank = 0): number[][] {
  const c = checkArgs('ctcGreedyDecode').tensor('logits', logits, ['N', 'T', 'C'], 'float32');
  const { N, T, C } = c.dims;
  c.number('blank', blank, { integer: true, min: 0, max: C - 1 }).require(
    Array.isArray(inputLengths) && inputLengths.length === N,
    `argument 'inputLengths' expected N=${N} lengths`,
  );
  inputLengths.forEach((len, n) =>
    c.require(
      Number.isInteger(len) && len >= 1 && len <= T,
      `argument 'inputLengths' expected integers in [1, T=${T}] but element ${n} is ${len}`,
    ),
  );
  const best = tf.tidy(() => tf.argMax(logits, 2));
  const idx = best.dataSync();
  best.dispose();
  return inputLengths.map((len, n) => ctcCollapse(idx.subarray(n * T, n * T + len), blank));
}
