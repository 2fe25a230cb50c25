/**
 * Length-bucketed seeded minibatches as a pure function of the step, shared by the trainers
 * whose utterances vary in length (the listener, Tacotron): similar lengths in a batch waste
 * little on padding, and a resumed run draws exactly the batches an uninterrupted one would.
 */
import { checkArgs } from '../core/validate';
import { stepRng } from './trainingState';

/**
 * Seeded batches of similar lengths: epoch e (drawn from
 * stepRng(seed, e)) shuffles the utterances, sorts windows of 32 batches by length, cuts them
 * into batches (a window's remainder is left out that epoch) and shuffles the batch order.
 */
export interface BatchSchedule {
  batchesPerEpoch: number;
  /** Indices into `frames` of the batch of step `step` (0-based). */
  batchAt(step: number): number[];
}

export function lengthBucketedBatches(frames: readonly number[], batchSize: number, seed: number): BatchSchedule {
  checkArgs('lengthBucketedBatches')
    .number('batchSize', batchSize, { integer: true, min: 1 })
    .number('seed', seed, { integer: true })
    .require(
      frames.length >= batchSize,
      `argument 'frames' expected at least batchSize=${batchSize} utterances but got ${frames.length}`,
    );
  const window = 32 * batchSize;
  let batchesPerEpoch = 0;
  for (let w = 0; w < frames.length; w += window)
    batchesPerEpoch += Math.floor(Math.min(window, frames.length - w) / batchSize);
  let cached: { epoch: number; batches: number[][] } = { epoch: -1, batches: [] };
  const epochBatches = (epoch: number): number[][] => {
    const rng = stepRng(seed, epoch);
    const order = rng.permutation(frames.length);
    const batches: number[][] = [];
    for (let w = 0; w < order.length; w += window) {
      const chunk = order.slice(w, w + window).sort((x, y) => frames[x] - frames[y]);
      for (let b = 0; b + batchSize <= chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
    }
    return rng.shuffle(batches);
  };
  return {
    batchesPerEpoch,
    batchAt(step) {
      checkArgs('lengthBucketedBatches.batchAt').number('step', step, { integer: true, min: 0 });
      const epoch = Math.floor(step / batchesPerEpoch);
      if (cached.epoch !== epoch) cached = { epoch, batches: epochBatches(epoch) };
      return cached.batches[step % batchesPerEpoch];
    },
  };
}
