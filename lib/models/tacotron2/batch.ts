/**
 * Text–mel pairs as Tacotron batches, and the seeded batch order.
 *
 * A batch pads every text to the longest (id 0) and every mel to the longest, rounded up to a
 * multiple of r frames, so it has S = T/r decoder steps. The stop target of step t is 1 from
 * the step that holds the utterance's last frame onwards. Utterances are grouped by length
 * (sorted, then cut into batches) so padding stays small; each epoch visits the batches in a
 * fresh seeded order.
 */
import * as tf from '@tensorflow/tfjs';
import { AudioMatrix } from '../../audio/matrix';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { textToIds } from '../../data/speechText';

/** One training pair: normalised text and its log-mel [T, M] (natural log, as in speech-single). */
export interface TextMel {
  text: string;
  mel: AudioMatrix;
}

export interface TacotronBatch {
  ids: tf.Tensor; // [N, L] int32
  textMask: tf.Tensor; // [N, L] 1 = real character
  mel: tf.Tensor; // [N, S·r, M] normalised log-mel, zero over padding
  frameMask: tf.Tensor; // [N, S·r] 1 = real frame
  stopTargets: tf.Tensor; // [N, S]
  stepMask: tf.Tensor; // [N, S] 1 = a step that holds a real frame
  steps: number;
  textLengths: number[];
  frameLengths: number[];
}

/** Builds the batch of `items` (mel normalised as (x − mean)/std). */
export function makeTacotronBatch(
  items: readonly TextMel[],
  r: number,
  melNorm: { mean: number; std: number },
): TacotronBatch {
  const c = checkArgs('makeTacotronBatch')
    .require(Array.isArray(items) && items.length > 0, "argument 'items' expected a non-empty array of { text, mel }")
    .number('r', r, { integer: true, min: 1 });
  const M = items[0].mel?.cols;
  items.forEach((u, i) =>
    c.require(
      u.mel?.cols === M && u.mel.rows >= 1 && u.text.length >= 1,
      `items[${i}] expected text and a mel [T, ${M}]`,
    ),
  );
  const ids = items.map((u) => textToIds(u.text, 'punctuated'));
  const N = items.length;
  const L = Math.max(...ids.map((x) => x.length));
  const frameLengths = items.map((u) => u.mel.rows);
  const S = Math.ceil(Math.max(...frameLengths) / r);
  const T = S * r;
  const idArr = new Int32Array(N * L),
    textMask = new Float32Array(N * L);
  const mel = new Float32Array(N * T * M),
    frameMask = new Float32Array(N * T);
  const stop = new Float32Array(N * S),
    stepMask = new Float32Array(N * S);
  items.forEach((u, n) => {
    ids[n].forEach((id, l) => {
      idArr[n * L + l] = id;
      textMask[n * L + l] = 1;
    });
    for (let t = 0; t < u.mel.rows; t++) {
      frameMask[n * T + t] = 1;
      for (let m = 0; m < M; m++) mel[(n * T + t) * M + m] = (u.mel.data[t * M + m] - melNorm.mean) / melNorm.std;
    }
    const last = Math.ceil(u.mel.rows / r) - 1;
    for (let s = 0; s < S; s++) {
      stop[n * S + s] = s >= last ? 1 : 0;
      stepMask[n * S + s] = s <= last ? 1 : 0;
    }
  });
  return {
    ids: tf.tensor2d(idArr, [N, L], 'int32'),
    textMask: tf.tensor2d(textMask, [N, L]),
    mel: tf.tensor3d(mel, [N, T, M]),
    frameMask: tf.tensor2d(frameMask, [N, T]),
    stopTargets: tf.tensor2d(stop, [N, S]),
    stepMask: tf.tensor2d(stepMask, [N, S]),
    steps: S,
    textLengths: ids.map((x) => x.length),
    frameLengths,
  };
}

export function disposeTacotronBatch(b: TacotronBatch): void {
  tf.dispose([b.ids, b.textMask, b.mel, b.frameMask, b.stopTargets, b.stepMask]);
}

/**
 * Length-grouped batches in seeded epochs: the items sorted by frames are cut into batches of
 * `batchSize`; epoch e visits them in an order drawn from `seed`. Returns the item indices of
 * batch `step` (1-based, asked for in order).
 */
export function lengthGroupedBatches(
  items: readonly TextMel[],
  batchSize: number,
  seed: number,
): (step: number) => number[] {
  checkArgs('lengthGroupedBatches')
    .number('batchSize', batchSize, { integer: true, min: 1 })
    .number('seed', seed, { integer: true })
    .require(items.length >= 1, "argument 'items' expected at least one item");
  const sorted = items
    .map((u, i) => [u.mel.rows, i])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, i]) => i);
  const groups: number[][] = [];
  for (let i = 0; i < sorted.length; i += batchSize) groups.push(sorted.slice(i, i + batchSize));
  const rng = new Rng(seed);
  let order: number[] = [];
  return (step) => {
    const k = (step - 1) % groups.length;
    if (k === 0 || order.length === 0) order = rng.permutation(groups.length);
    return groups[order[k]];
  };
}
