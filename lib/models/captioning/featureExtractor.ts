/**
 * The image encoder of the captioning notebook: a small CNN (tfjs layers, trained by
 * autodiff — the hand-derived part of this project is the caption decoder) that learns
 * to recognise the item and the colour of single 28×28 cells, then is frozen and run
 * over whole 56×56 scenes.
 *
 *   trunk:  conv 3×3 (C₁, ReLU) → max-pool 2 → [conv 3×3 (C₂, ReLU)] → conv 3×3 (C, ReLU)
 *           → average- or max-pool 7×7 stride 7 (`finalPool`)
 *           28×28 cell  → [2, 2, C]          56×56 scene → [4, 4, C]   (fully convolutional)
 *
 *   The last pooling summarises each quadrant of a cell. The trunk sees about 12×12 pixels at a
 *   time, so a quadrant is a 7×7 grid of local detectors: max-pooling says whether a detail
 *   (a strap, a heel, a collar) is present there, where averaging dilutes it with the empty
 *   background. In a pilot (C₁ 16, C₂ 32, C 64, 20,000 training images, 3 epochs, seed 1) the
 *   max-pooled trunk reached 85.0 % validation item accuracy against 81.6 % averaged.
 *
 *   the notebook's live CNN: C₁ = 8, no C₂, C = 32; the shipped one (`npm run train -- captioning-cnn`,
 *   ./cnnCheckpoint.ts): C₁ = 32, C₂ = 64, C = 64, max-pooled, trained on all of Fashion-MNIST's training images
 *   heads (pre-training only): the cell's [2, 2, C] flattened → softmax over items, softmax over colours
 *   (flattened rather than averaged: which quadrants are lit is most of an item's shape)
 *
 * On a scene the 4×4 map has 2×2 positions per cell. The attention decoder attends over the four
 * cells, each position of its 2×2 grid holding its cell's 2×2 positions stacked ([4C]) — exactly
 * what the classifier heads read. Attending over the 16 positions one by one instead would hand the
 * decoder a weighted average of a cell's quadrants, and which quadrants are lit is most of an item's
 * shape: in a pilot on the shipped CNN (H = 64, seed 1), that decoder wrote 54 % of the validation
 * captions right after 16 epochs, the cell-wise one 65 % after 9. The rnn/lstm decoders get the
 * same map flattened ([16C]): a global average would erase where things are, which the captions
 * ("… above …", "in the top left") talk about, and the comparison with attention should be over
 * the same information.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { evaluateSoftmaxHeads, trainSoftmaxHeads } from '../../train/softmaxHeads';
import { Rng } from '../../core/random';
import { progress } from '../../display/progress';

export interface FeatureCnn {
  /** Image [*, H, W, 3] → feature map [*, H/14, W/14, C]. */
  trunk: tf.LayersModel;
  /**
   * Cell [*, 28, 28, 3] → [item probabilities [*, items], colour probabilities [*, colours]]
   * (shares the trunk's weights).
   */
  classifier: tf.LayersModel;
  channels: number;
  sizes: FeatureCnnSizes;
}

/**
 * The CNN's sizes: classes per head, the trunk's widths C₁, C₂ (0: no middle conv) and C, and
 * its last pooling over each 7×7 block.
 */
export interface FeatureCnnSizes {
  items: number;
  colours: number;
  firstChannels: number;
  middleChannels: number;
  channels: number;
  finalPool: 'average' | 'max';
}

/**
 * Builds the CNN with seeded initial weights (defaults: the notebook's live CNN, C₁ = 8, no C₂,
 * C = 32, average-pooled).
 */
export function buildFeatureCnn(opts: {
  items: number;
  colours: number;
  channels?: number;
  firstChannels?: number;
  middleChannels?: number;
  finalPool?: 'average' | 'max';
  seed?: number;
}): FeatureCnn {
  const {
    items,
    colours,
    channels = 32,
    firstChannels = 8,
    middleChannels = 0,
    finalPool = 'average',
    seed = 0,
  } = opts ?? ({} as { items: number; colours: number });
  checkArgs('buildFeatureCnn')
    .number('items', items, { integer: true, min: 2 })
    .number('colours', colours, { integer: true, min: 2 })
    .number('channels', channels, { integer: true, min: 1 })
    .number('firstChannels', firstChannels, { integer: true, min: 1 })
    .number('middleChannels', middleChannels, { integer: true, min: 0 })
    .require(
      finalPool === 'average' || finalPool === 'max',
      `argument 'finalPool' expected 'average' or 'max' but got ${String(finalPool)}`,
    )
    .number('seed', seed, { integer: true });
  const rng = new Rng(seed);
  const init = (): ReturnType<typeof tf.initializers.heNormal> =>
    tf.initializers.heNormal({ seed: rng.nextUint32() % 2147483647 });
  const input = tf.input({ shape: [null, null, 3] });
  const conv = (filters: number, x: tf.SymbolicTensor): tf.SymbolicTensor =>
    tf.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() })
      .apply(x) as tf.SymbolicTensor;
  let x = conv(firstChannels, input);
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
  if (middleChannels > 0) x = conv(middleChannels, x);
  x = conv(channels, x);
  const pool = finalPool === 'max' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
  const map = pool({ poolSize: 7, strides: 7 }).apply(x) as tf.SymbolicTensor;
  const trunk = tf.model({ inputs: input, outputs: map });
  const cell = tf.input({ shape: [28, 28, 3] });
  const pooled = tf.layers.flatten({}).apply(trunk.apply(cell) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const glorot = (): ReturnType<typeof tf.initializers.heNormal> =>
    tf.initializers.glorotUniform({ seed: rng.nextUint32() % 2147483647 });
  // Two logits heads, trained with the multi-label trainer (Σ of the per-head softmax cross-entropies).
  const itemHead = tf.layers
    .dense({ units: items, kernelInitializer: glorot(), name: 'item' })
    .apply(pooled) as tf.SymbolicTensor;
  const colourHead = tf.layers
    .dense({ units: colours, kernelInitializer: glorot(), name: 'colour' })
    .apply(pooled) as tf.SymbolicTensor;
  const classifier = tf.model({ inputs: cell, outputs: [itemHead, colourHead] });
  const sizes: FeatureCnnSizes = { items, colours, firstChannels, middleChannels, channels, finalPool };
  return { trunk, classifier, channels, sizes };
}

/**
 * Trains the classifier on labelled cells for `epochs` passes in seeded minibatch order with
 * {@link trainSoftmaxHeads} (Adam, lr `opts.lr`, default 1e-2; loss = item CE + colour CE; a
 * non-finite step stops training before it is applied). Returns the mean training loss per epoch.
 *
 * @param data images [N, 28, 28, 3], items and colours int32 [N]
 */
export async function trainFeatureCnn(
  cnn: FeatureCnn,
  data: { images: tf.Tensor; items: tf.Tensor; colours: tf.Tensor },
  opts: { epochs: number; batchSize?: number; seed?: number; lr?: number; label?: string },
): Promise<{ epochLoss: number[] }> {
  const { N } = checkArgs('trainFeatureCnn')
    .tensor('images', data?.images, ['N', 28, 28, 3], 'float32')
    .tensor('items', data.items, ['N'], 'int32')
    .tensor('colours', data.colours, ['N'], 'int32').dims;
  const batchSize = opts?.batchSize ?? 64;
  const bar = progress({
    total: (opts?.epochs ?? 1) * Math.ceil(N / batchSize),
    label: opts?.label ?? 'CNN pre-training',
  });
  const history = trainSoftmaxHeads(
    cnn.classifier,
    data.images,
    [data.items as tf.Tensor1D, data.colours as tf.Tensor1D],
    {
      epochs: opts.epochs,
      batchSize,
      lr: opts.lr ?? 1e-2,
      seed: opts.seed ?? 0,
      onStep: (step, loss) => bar.update(step + 1, { loss }),
    },
  );
  bar.done();
  return { epochLoss: history.epochLosses };
}

/** Item and colour accuracy (fractions in [0, 1]) of the classifier on labelled cells. */
export function evaluateFeatureCnn(
  cnn: FeatureCnn,
  data: { images: tf.Tensor; items: tf.Tensor; colours: tf.Tensor },
  batchSize = 256,
): { itemAccuracy: number; colourAccuracy: number } {
  checkArgs('evaluateFeatureCnn')
    .tensor('images', data?.images, ['N', 28, 28, 3], 'float32')
    .tensor('items', data.items, ['N'], 'int32')
    .tensor('colours', data.colours, ['N'], 'int32');
  const [item, colour] = evaluateSoftmaxHeads(
    cnn.classifier,
    data.images,
    [data.items as tf.Tensor1D, data.colours as tf.Tensor1D],
    batchSize,
  );
  return { itemAccuracy: item.accuracy, colourAccuracy: colour.accuracy };
}

/** Scene features for the caption decoders: two views of the trunk's [N, 4, 4, C] map. */
export interface SceneFeatures {
  /**
   * [N, 4C, 2, 2]: one position per scene cell, channels first, holding the cell's 2×2 positions
   * stacked — channel (2a + b)·C + c is the map's channel c at row a, column b of the cell (the
   * order in which the classifier heads flatten a cell). The attention decoder's A before projection.
   */
  cells: tf.Tensor4D;
  /** [N, 16C]: the map flattened row by row, C channels per position (the rnn/lstm decoders' input to h₀). */
  flat: tf.Tensor2D;
}

/** Runs the frozen trunk over scenes [N, 56, 56, 3] in batches → {@link SceneFeatures}. */
export function extractSceneFeatures(cnn: FeatureCnn, images: tf.Tensor, batchSize = 256): SceneFeatures {
  const { N } = checkArgs('extractSceneFeatures').tensor('images', images, ['N', 56, 56, 3], 'float32').dims;
  const C = cnn.channels;
  const maps: tf.Tensor[] = [];
  for (let s = 0; s < N; s += batchSize) {
    const n = Math.min(batchSize, N - s);
    maps.push(tf.tidy(() => cnn.trunk.predict(tf.slice(images, [s, 0, 0, 0], [n, 56, 56, 3])) as tf.Tensor));
  }
  return tf.tidy(() => {
    const map = maps.length === 1 ? maps[0] : tf.concat(maps, 0); // [N, 4, 4, C]
    // [N, i, a, j, b, C] (map row 2i + a, column 2j + b) → [N, i, j, a, b, C] → [N, 2, 2, 4C]
    const byCell = tf.transpose(tf.reshape(map, [N, 2, 2, 2, 2, C]), [0, 1, 3, 2, 4, 5]);
    const cells = tf.transpose(tf.reshape(byCell, [N, 2, 2, 4 * C]), [0, 3, 1, 2]) as tf.Tensor4D;
    const flat = tf.reshape(map, [N, 16 * C]) as tf.Tensor2D;
    tf.dispose(maps);
    return { cells, flat };
  });
}

/** Frees the CNN's weights. */
export function disposeFeatureCnn(cnn: FeatureCnn): void {
  cnn.classifier.dispose();
}
