/**
 * Training and evaluating softmax classification heads built with tfjs layers: a model with
 * one logits output per label category, total loss = Σ_k CE_k (the sum of the per-category
 * softmax cross-entropies, each a batch mean), trained with the library's training loop
 * (the project's Adam, NaN guard) on minibatches in a seeded order. tfjs's
 * `softmaxCrossEntropy` works on logits through a stable log-softmax.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { trainInSeededBatches, TrainHistory } from './seededBatches';

/** The model's outputs as a list (one per category). */
function outputsOf(y: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): tf.Tensor[] {
  return (Array.isArray(y) ? y : [y]) as tf.Tensor[];
}

function checkTargets(fn: string, model: tf.LayersModel, x: tf.Tensor, targets: tf.Tensor1D[]): void {
  const c = checkArgs(fn)
    .rankAtLeast('x', x, 2)
    .require(model instanceof tf.LayersModel, 'model must be a tf.LayersModel')
    .require(x.shape[0] > 0, 'x has no examples');
  c.require(
    Array.isArray(targets) && targets.length === model.outputs.length,
    `expected ${model.outputs.length} target tensors (one per output), ` +
      `got ${Array.isArray(targets) ? targets.length : typeof targets}`,
  );
  targets.forEach((t, k) => c.tensor(`targets[${k}]`, t, [x.shape[0]], 'int32'));
}

/**
 * Trains the trainable weights of `model` (inputs `x`, one int32 label tensor per output)
 * for `epochs` passes. Stops with a {@link NonFiniteError} naming the step if the loss is not finite.
 * `lossWeights` (one w_k ≥ 0 per output, e.g. [0.8, 0.2]) trains on L = Σ_k w_k · CE_k instead.
 */
export function trainSoftmaxHeads(
  model: tf.LayersModel,
  x: tf.Tensor,
  targets: tf.Tensor1D[],
  opts: {
    epochs: number;
    batchSize: number;
    lr: number;
    seed: number;
    lossWeights?: number[];
    onStep?: (step: number, loss: number) => void;
  },
): TrainHistory {
  checkTargets('trainSoftmaxHeads', model, x, targets);
  const lossWeights = opts?.lossWeights;
  if (lossWeights !== undefined) {
    const c = checkArgs('trainSoftmaxHeads').require(
      Array.isArray(lossWeights) && lossWeights.length === targets.length,
      `lossWeights must have one weight per output (${targets.length}), ` +
        `got ${Array.isArray(lossWeights) ? lossWeights.length : typeof lossWeights}`,
    );
    lossWeights.forEach((v, k) => c.number(`lossWeights[${k}]`, v, { min: 0 }));
  }
  const classes = model.outputs.map((o) => o.shape[o.shape.length - 1] as number);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  checkArgs('trainSoftmaxHeads').require(vars.length > 0, 'model has no trainable weights');
  return trainInSeededBatches('trainSoftmaxHeads', { ...opts, N: x.shape[0] }, (idx) => {
    const { value, grads } = tf.variableGrads(() => {
      // BEGIN SOLUTION
      const xb = tf.gather(x, idx);
      const logits = outputsOf(model.apply(xb, { training: true }));
      const losses = logits.map((l, k) => {
        const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.gather(targets[k], idx), classes[k]), l);
        return lossWeights ? tf.mul(ce, lossWeights[k]) : ce;
      });
      return tf.addN(losses) as tf.Scalar;
      // END SOLUTION
    }, vars);
    const loss = value.dataSync()[0];
    value.dispose();
    return { loss, grads };
  });
}

/** Per-output evaluation: mean cross-entropy, accuracy and the argmax predictions. */
export interface HeadEvaluation {
  loss: number;
  accuracy: number;
  predictions: number[];
}

/** Evaluates every output of `model` on `x` against its labels (in batches of `batchSize`). */
export function evaluateSoftmaxHeads(
  model: tf.LayersModel,
  x: tf.Tensor,
  targets: tf.Tensor1D[],
  batchSize = 512,
): HeadEvaluation[] {
  checkTargets('evaluateSoftmaxHeads', model, x, targets);
  const N = x.shape[0];
  const classes = model.outputs.map((o) => o.shape[o.shape.length - 1] as number);
  const lossSums = new Array<number>(classes.length).fill(0);
  const predictions: number[][] = classes.map(() => []);
  for (let start = 0; start < N; start += batchSize) {
    const n = Math.min(batchSize, N - start);
    const [losses, preds] = tf.tidy(() => {
      const logits = outputsOf(model.predict(x.slice([start], [n])) as tf.Tensor | tf.Tensor[]);
      const l = logits.map((lg, k) =>
        tf.losses.softmaxCrossEntropy(
          tf.oneHot(targets[k].slice([start], [n]), classes[k]),
          lg,
          undefined,
          undefined,
          tf.Reduction.SUM,
        ),
      );
      return [tf.stack(l), tf.stack(logits.map((lg) => tf.argMax(lg, 1)))];
    });
    const lv = losses.dataSync();
    const pv = preds.arraySync() as number[][];
    tf.dispose([losses, preds]);
    classes.forEach((_, k) => {
      lossSums[k] += lv[k];
      predictions[k].push(...pv[k]);
    });
  }
  return classes.map((_, k) => {
    const truth = targets[k].dataSync();
    const hits = predictions[k].reduce((s, p, i) => s + (p === truth[i] ? 1 : 0), 0);
    return { loss: lossSums[k] / N, accuracy: hits / N, predictions: predictions[k] };
  });
}
