/**
 * A sigmoid multi-label head: "which of C item types are in this scene?" as C independent
 * yes/no outputs p_c = σ(z_c), trained with the library's `sigmoidBinaryCrossEntropy`
 * (binary cross-entropy from logits, optional positive weights for rare classes).
 *
 * Scene features come from the frozen 28×28 backbone applied to each of the four 2×2 cells
 * and max-pooled over cells — "is there an item of this kind anywhere" — giving [N, F].
 * The loss supplies ∂L/∂z; tfjs autodiff carries it through the head as the vector–Jacobian
 * product of ⟨z, ∂L/∂z⟩, and tfjs's Adam applies the step.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { sigmoidBinaryCrossEntropy } from '../../losses/sigmoidBinaryCrossEntropy';
import { trainInSeededBatches, TrainHistory } from '../../train/seededBatches';
import { extractFeatures } from './backbone';

/** Backbone features of each 28×28 cell of [N, 56, 56, 3] scenes, max-pooled over the 4 cells → [N, F]. */
export function cellMaxFeatures(backbone: tf.LayersModel, scenes: tf.Tensor4D, batchSize = 256): tf.Tensor2D {
  checkArgs('cellMaxFeatures').tensor('scenes', scenes, ['N', 56, 56, 3], 'float32');
  const cells = [0, 1, 2, 3].map((c) => {
    const crop = scenes.slice([0, Math.floor(c / 2) * 28, (c % 2) * 28, 0], [-1, 28, 28, 3]);
    const f = extractFeatures(backbone, crop, batchSize);
    crop.dispose();
    return f;
  });
  const out = tf.tidy(() => tf.max(tf.stack(cells), 0)) as tf.Tensor2D;
  tf.dispose(cells);
  return out;
}

/** features [N, F] → Dense(hidden, ReLU) → Dense(classes) logits. */
export function buildSigmoidHead(opts: {
  inputDim: number;
  hidden: number;
  classes: number;
  seed: number;
}): tf.Sequential {
  checkArgs('buildSigmoidHead')
    .number('inputDim', opts.inputDim, { integer: true, min: 1 })
    .number('hidden', opts.hidden, { integer: true, min: 1 })
    .number('classes', opts.classes, { integer: true, min: 1 })
    .number('seed', opts.seed, { integer: true });
  const rng = new Rng(opts.seed);
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [opts.inputDim],
        units: opts.hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextUint32() }),
      }),
      tf.layers.dense({
        units: opts.classes,
        kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextUint32() }),
      }),
    ],
  });
}

/**
 * Loss and weight gradients of `head` on one batch: the loss gives z's gradient g = ∂L/∂z,
 * and autodiff carries it through the head, ∂L/∂θ = (∂z/∂θ)ᵀ g for every weight θ — the head
 * runs forward once, inside a custom-gradient loss op.
 * Returns gradients keyed by variable name (the caller disposes them).
 */
export function sigmoidHeadGradients(
  head: tf.LayersModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  posWeight?: number[],
): { loss: number; grads: tf.NamedTensorMap } {
  checkArgs('sigmoidHeadGradients').tensor('x', x, ['N', 'F'], 'float32').tensor('y', y, ['N', 'C'], 'float32');
  const vars = head.trainableWeights.map((w) => w.read() as tf.Variable);
  let loss = NaN;
  // BEGIN SOLUTION
  // One forward pass: a loss op whose gradient is the hand-written ∂L/∂z from the library's BCE.
  const bceOnLogits = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const r = sigmoidBinaryCrossEntropy(z, y, { posWeight });
    loss = r.loss;
    save([r.dlogits]);
    return { value: tf.scalar(r.loss), gradFunc: (dy: tf.Tensor, [dlogits]: tf.Tensor[]) => tf.mul(dy, dlogits) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const { grads, value } = tf.variableGrads(
    () => bceOnLogits(head.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    vars,
  );
  value.dispose();
  // END SOLUTION
  return { loss, grads };
}

/**
 * Trains `head` on features `x` [N, F] and 0/1 targets `y` [N, C] with sigmoid BCE
 * (positive weights `posWeight`, e.g. negatives/positives per class), tfjs Adam, seeded batches.
 */
export function trainSigmoidHead(
  head: tf.LayersModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  opts: {
    epochs: number;
    batchSize: number;
    lr: number;
    seed: number;
    posWeight?: number[];
    onStep?: (step: number, loss: number) => void;
  },
): TrainHistory {
  const { N } = checkArgs('trainSigmoidHead')
    .tensor('x', x, ['N', 'F'], 'float32')
    .tensor('y', y, ['N', 'C'], 'float32').dims;
  return trainInSeededBatches('trainSigmoidHead', { ...opts, N }, (idx) => {
    const xb = tf.gather(x, idx);
    const yb = tf.gather(y, idx);
    try {
      return sigmoidHeadGradients(head, xb, yb, opts.posWeight);
    } finally {
      tf.dispose([xb, yb]);
    }
  });
}

/** σ(head(x)) as rows of per-class probabilities. */
export function predictProbabilities(head: tf.LayersModel, x: tf.Tensor2D): number[][] {
  checkArgs('predictProbabilities').tensor('x', x, ['N', 'F'], 'float32');
  const p = tf.tidy(() => tf.sigmoid(head.predict(x) as tf.Tensor));
  const rows = p.arraySync() as number[][];
  p.dispose();
  return rows;
}
