/**
 * The minibatch loop the tfjs-layers trainers share: `epochs` passes over N examples, each
 * epoch in a fresh order drawn from the seed, one Adam step per batch. The loop owns the
 * optimizer so that no update is applied before {@link assertFinite} has passed on the
 * batch's loss and gradients: a NaN stops training with its step named and the weights intact.
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

/** What one batch gives back: its loss and the gradient of each trainable variable, by variable name. */
export interface BatchGradients {
  loss: number;
  grads: tf.NamedTensorMap;
}

/**
 * Runs `batch(idx)` for every minibatch — `idx` int32 [≤ batchSize] example indices, disposed
 * afterwards — checks the loss and gradients, applies them with tfjs's Adam (learning rate
 * `lr`) and records the loss. `fn` names the public function in argument errors.
 */
export function trainInSeededBatches(
  fn: string,
  opts: { N: number; epochs: number; batchSize: number; lr: number; seed: number; onStep?: (step: number, loss: number) => void },
  batch: (idx: tf.Tensor1D) => BatchGradients,
): TrainHistory {
  checkArgs(fn)
    .number('N', opts?.N, { integer: true, min: 1 })
    .number('epochs', opts.epochs, { integer: true, min: 1 })
    .number('batchSize', opts.batchSize, { integer: true, min: 1 })
    .number('lr', opts.lr, { min: 0, exclusiveMin: true })
    .number('seed', opts.seed, { integer: true });
  const rng = new Rng(opts.seed);
  const optimizer = tf.train.adam(opts.lr);
  const history: TrainHistory = { stepLosses: [], epochLosses: [] };
  let step = 0;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = rng.permutation(opts.N);
      let sum = 0;
      let batches = 0;
      for (let start = 0; start < opts.N; start += opts.batchSize) {
        const idx = tf.tensor1d(order.slice(start, start + opts.batchSize), 'int32');
        let result: BatchGradients;
        try {
          result = batch(idx);
        } finally {
          idx.dispose();
        }
        try {
          assertFinite(step, { loss: result.loss, ...result.grads });
          optimizer.applyGradients(Object.entries(result.grads).map(([name, tensor]) => ({ name, tensor })));
        } finally {
          tf.dispose(Object.values(result.grads));
        }
        history.stepLosses.push(result.loss);
        opts.onStep?.(step, result.loss);
        sum += result.loss;
        batches++;
        step++;
      }
      history.epochLosses.push(sum / batches);
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}
