/**
 * The minibatch loop of the tfjs-layers trainers (softmax heads, sigmoid head): `epochs`
 * passes over N examples in seeded orders ({@link seededEpochBatches}), run by the library's
 * one loop ({@link trainLoop}: NaN guard before any update, the project's Adam, loss history).
 * Gradients come keyed by tf.Variable name, as `tf.variableGrads` returns them; the variables
 * are found by that name in tfjs's variable registry, as tfjs's own optimizers do.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import type { Params } from '../optim/optimizer';
import { seededEpochBatches, trainLoop } from './trainLoop';

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
 * afterwards — and applies the gradients with Adam (learning rate `lr`) after the NaN guard.
 * Steps are 1-based (`onStep(step, loss)`); a progress display is shown when `label` is given.
 * `fn` names the public function in argument errors.
 */
export function trainInSeededBatches(
  fn: string,
  opts: {
    N: number;
    epochs: number;
    batchSize: number;
    lr: number;
    seed: number;
    label?: string;
    onStep?: (step: number, loss: number) => void;
  },
  batch: (idx: tf.Tensor1D) => BatchGradients,
): TrainHistory {
  const plan = seededEpochBatches(fn, opts);
  const variables: Params = {}; // filled from each batch's gradient names
  const registry = tf.engine().registeredVariables;
  const history: TrainHistory = { stepLosses: [], epochLosses: [] };
  let epochSum = 0;
  const { losses } = trainLoop(
    fn,
    variables,
    {
      steps: plan.steps,
      lr: opts.lr,
      label: opts.label,
      progress: opts.label !== undefined,
      onStep: (step, loss) => {
        epochSum += loss;
        if (plan.endsEpoch(step)) {
          history.epochLosses.push(epochSum / plan.stepsPerEpoch);
          epochSum = 0;
        }
        opts.onStep?.(step, loss);
      },
    },
    (step) => {
      const idx = tf.tensor1d(plan.indices(step), 'int32');
      try {
        const result = batch(idx);
        for (const name of Object.keys(result.grads)) {
          checkArgs(fn).require(registry[name] instanceof tf.Variable, `the gradient '${name}' names no tf.Variable`);
          variables[name] = registry[name];
        }
        return result;
      } finally {
        idx.dispose();
      }
    },
  );
  history.stepLosses = losses;
  return history;
}
