/**
 * The shared feature extractor of the multi-label experiments (issue 5): a small CNN
 *
 *   conv 3×3 (f1, same, ReLU) → max-pool 2 → conv 3×3 (f2, same, ReLU) → max-pool 2 → flatten
 *
 * mapping [N, 28, 28, 3] images to [N, 7·7·f2] features. It is pre-trained on one task
 * (item class on untinted images), then frozen: transfer learning trains only the
 * classification layers put on top of it.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { trainSoftmaxHeads } from '../../train/softmaxHeads';
import { TrainHistory } from '../../train/seededBatches';

/** A seeded backbone (trainable until frozen). `filters` = [f1, f2], default [8, 16]. */
export function buildBackbone(opts: {
  seed: number;
  inputShape?: [number, number, number];
  filters?: [number, number];
}): tf.Sequential {
  checkArgs('buildBackbone').number('seed', opts?.seed, { integer: true });
  const [f1, f2] = opts.filters ?? [8, 16];
  checkArgs('buildBackbone')
    .number('filters[0]', f1, { integer: true, min: 1 })
    .number('filters[1]', f2, { integer: true, min: 1 });
  const rng = new Rng(opts.seed);
  const init = (): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: rng.nextUint32() });
  return tf.sequential({
    name: `backbone_${rng.nextUint32().toString(36)}`,
    layers: [
      tf.layers.conv2d({
        inputShape: opts.inputShape ?? [28, 28, 3],
        filters: f1,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: f2, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
    ],
  });
}

/** A frozen copy of `backbone` with its own weight tensors (for "one full model per category"). */
export function copyBackbone(backbone: tf.Sequential, opts: { seed: number }): tf.Sequential {
  checkArgs('copyBackbone').require(
    backbone instanceof tf.Sequential,
    'backbone must be a tf.Sequential built by buildBackbone',
  );
  const kernels = backbone.layers
    .filter((l) => l.getClassName() === 'Conv2D')
    .map((l) => (l.getWeights()[0].shape as number[])[3]);
  const inputShape = backbone.inputs[0].shape.slice(1) as [number, number, number];
  const copy = buildBackbone({ seed: opts.seed, inputShape, filters: [kernels[0], kernels[1]] });
  copy.setWeights(backbone.getWeights()); // setWeights copies the values into the copy's own variables
  copy.trainable = false;
  return copy;
}

/**
 * Pre-trains `backbone` on item classification — a temporary Dense(classes) softmax head on
 * top, all layers trained with tfjs's Adam — then freezes it. Returns the training history
 * and the classifier (backbone + head) for checking the pre-training accuracy.
 */
export function pretrainBackbone(
  backbone: tf.Sequential,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  opts: {
    classes: number;
    epochs: number;
    batchSize: number;
    lr: number;
    seed: number;
    onStep?: (step: number, loss: number) => void;
  },
): { history: TrainHistory; classifier: tf.Sequential } {
  checkArgs('pretrainBackbone').number('classes', opts?.classes, { integer: true, min: 2 });
  backbone.trainable = true;
  const rng = new Rng(opts.seed);
  const classifier = tf.sequential({
    layers: [
      backbone,
      tf.layers.dense({
        units: opts.classes,
        kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextUint32() }),
      }),
    ],
  });
  try {
    return {
      history: trainSoftmaxHeads(classifier, images, [labels], { ...opts, seed: rng.nextUint32() }),
      classifier,
    };
  } finally {
    backbone.trainable = false; // frozen afterwards, also when training stops on a NaN
  }
}

/** The backbone's features of `images`, computed `batchSize` images at a time → [N, F]. */
export function extractFeatures(backbone: tf.LayersModel, images: tf.Tensor4D, batchSize = 256): tf.Tensor2D {
  checkArgs('extractFeatures')
    .tensor('images', images, ['N', 'H', 'W', 'C'], 'float32')
    .number('batchSize', batchSize, { integer: true, min: 1 });
  const N = images.shape[0];
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < N; start += batchSize) {
    parts.push(tf.tidy(() => backbone.predict(images.slice([start], [Math.min(batchSize, N - start)])) as tf.Tensor));
  }
  const out = tf.concat(parts) as tf.Tensor2D;
  tf.dispose(parts);
  return out;
}
