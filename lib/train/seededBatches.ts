/**
 * The minibatch loop the tfjs-layers trainers share: `epochs` passes over N examples, each
 * epoch in a fresh order drawn from the seed, one `step` per batch. Every loss goes through
 * {@link assertFinite} before it is recorded, so a NaN stops training with its step named.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random';
import { checkArgs } from '../core/validate';
import { assertFinite } from './guard';

/** Loss of every step, and the mean loss of every epoch. */
export interface TrainHistory {
  stepLosses: number[];
  epochLosses: number[];
}

/**
 * Runs `step(idx, stepNumber)` for every batch — `idx` int32 [≤ batchSize] example indices,
 * disposed afterwards — and records the loss it returns. A step must not apply an update
 * whose loss is not finite (the loop then throws `NonFiniteError`).
 */
export function trainInSeededBatches(
  opts: { N: number; epochs: number; batchSize: number; seed: number; onStep?: (step: number, loss: number) => void },
  step: (idx: tf.Tensor1D, stepNumber: number) => number,
): TrainHistory {
  checkArgs('trainInSeededBatches')
    .number('N', opts?.N, { integer: true, min: 1 })
    .number('epochs', opts.epochs, { integer: true, min: 1 })
    .number('batchSize', opts.batchSize, { integer: true, min: 1 })
    .number('seed', opts.seed, { integer: true });
  const rng = new Rng(opts.seed);
  const history: TrainHistory = { stepLosses: [], epochLosses: [] };
  let stepNumber = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = rng.permutation(opts.N);
    let sum = 0;
    let batches = 0;
    for (let start = 0; start < opts.N; start += opts.batchSize) {
      const idx = tf.tensor1d(order.slice(start, start + opts.batchSize), 'int32');
      let loss: number;
      try {
        loss = step(idx, stepNumber);
      } finally {
        idx.dispose();
      }
      assertFinite(stepNumber, { loss });
      history.stepLosses.push(loss);
      opts.onStep?.(stepNumber, loss);
      sum += loss;
      batches++;
      stepNumber++;
    }
    history.epochLosses.push(sum / batches);
  }
  return history;
}
