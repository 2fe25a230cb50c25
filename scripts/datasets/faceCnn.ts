/**
 * The frozen face encoder of the multimodal-emotion corpus (the role VGG-16 plays for Khare et
 * al.): a small CNN trained once, here, to read a face — the six expression parameters and the
 * mouth opening of randomly drawn faces of random looks (never the corpus's own labels) — then
 * frozen; its 32-dim penultimate layer is the per-frame visual embedding shipped in the corpus.
 *
 *   x [N, 32, 32, 3] / 255 → conv 3×3 s2 (12, ReLU) → conv 3×3 s2 (24, ReLU) → conv 3×3 s2 (32, ReLU)
 *   → flatten [N, 512] → affine 32, tanh (the embedding) → affine 7 (the parameters, regression)
 *
 * Trained by tfjs autodiff (this encoder is data preparation, not what notebook 08 teaches) in
 * the library's training loop, squared error, Adam lr 3e-3.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randn, trainLoop } from '../../lib';
import { EXPRESSION_KEYS, Expression } from './multimodalPlan';
import { FACE_SIZE, randomLook, renderFace } from './faceRaster';

export const EMBEDDING_DIM = 32;

type Params = Record<string, tf.Variable>;

function initParams(rng: Rng): Params {
  const he = (shape: number[], fanIn: number): tf.Variable => tf.variable(randn(shape, rng, Math.sqrt(2 / fanIn)));
  const zeros = (n: number): tf.Variable => tf.variable(tf.zeros([n]));
  return {
    c1: he([3, 3, 3, 12], 27),
    b1: zeros(12),
    c2: he([3, 3, 12, 24], 108),
    b2: zeros(24),
    c3: he([3, 3, 24, 32], 216),
    b3: zeros(32),
    We: he([512, EMBEDDING_DIM], 512),
    be: zeros(EMBEDDING_DIM),
    Wo: he([EMBEDDING_DIM, 7], EMBEDDING_DIM),
    bo: zeros(7),
  };
}

/** images uint8-valued float [N, 32, 32, 3] → embedding [N, 32] (tanh). */
function embed(p: Params, images: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    let x = tf.div(images, 255) as tf.Tensor4D;
    x = tf.relu(tf.add(tf.conv2d(x, p.c1 as tf.Tensor4D, 2, 'same'), p.b1)) as tf.Tensor4D;
    x = tf.relu(tf.add(tf.conv2d(x, p.c2 as tf.Tensor4D, 2, 'same'), p.b2)) as tf.Tensor4D;
    x = tf.relu(tf.add(tf.conv2d(x, p.c3 as tf.Tensor4D, 2, 'same'), p.b3)) as tf.Tensor4D;
    const flat = tf.reshape(x, [x.shape[0], 512]);
    return tf.tanh(tf.add(tf.matMul(flat, p.We), p.be)) as tf.Tensor2D;
  });
}

function randomFace(rng: Rng): { image: Uint8Array; target: number[] } {
  const e: Expression = {
    browRaise: 2 * rng.uniform() - 1,
    browTilt: 2 * rng.uniform() - 1,
    smile: 2 * rng.uniform() - 1,
    eyeOpen: 0.2 + 1.6 * rng.uniform(),
    sneer: rng.uniform() < 0.5 ? 0 : rng.uniform(),
    jaw: rng.uniform() < 0.5 ? 0 : 0.6 * rng.uniform(),
  };
  const open = rng.uniform();
  return { image: renderFace(randomLook(rng), e, open), target: [...EXPRESSION_KEYS.map((k) => e[k]), open] };
}

export interface FaceEncoder {
  /** uint8 frames [n·32·32·3] → embeddings [n, 32] (Float32Array, row-major). */
  embed(frames: Uint8Array, n: number): Float32Array;
  /** Mean squared error of the parameter regression on held-out random faces, before and after training. */
  heldOutMse: { before: number; after: number };
  steps: number;
}

/** Trains the encoder on `count` random faces for `steps` steps of batch 64. */
export function trainFaceEncoder(opts: { count: number; steps: number; seed: number }): FaceEncoder {
  const rng = new Rng(opts.seed);
  const p = initParams(rng);
  const draw = (n: number): { x: tf.Tensor4D; y: tf.Tensor2D } => {
    const faces = Array.from({ length: n }, () => randomFace(rng));
    const pixels = new Float32Array(n * FACE_SIZE * FACE_SIZE * 3);
    faces.forEach((f, i) => pixels.set(f.image, i * f.image.length));
    return {
      x: tf.tensor4d(pixels, [n, FACE_SIZE, FACE_SIZE, 3]),
      y: tf.tensor2d(
        faces.flatMap((f) => f.target),
        [n, 7],
      ),
    };
  };
  const train = draw(opts.count);
  const held = draw(512);
  const predict = (x: tf.Tensor): tf.Tensor => tf.add(tf.matMul(embed(p, x), p.Wo), p.bo);
  const mse = (): number => tf.tidy(() => tf.mean(tf.squaredDifference(predict(held.x), held.y)).dataSync()[0]);
  const before = mse();
  trainLoop('trainFaceEncoder', p, { steps: opts.steps, lr: 3e-3, label: 'face CNN' }, () => {
    const idx = tf.tensor1d(
      Array.from({ length: 64 }, () => rng.int(opts.count)),
      'int32',
    );
    const { value, grads: byVariable } = tf.variableGrads(
      () => tf.mean(tf.squaredDifference(predict(tf.gather(train.x, idx)), tf.gather(train.y, idx))) as tf.Scalar,
    );
    const loss = value.dataSync()[0];
    tf.dispose([value, idx]);
    // tfjs names gradients by variable name; the loop wants the parameter names
    return { loss, grads: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, byVariable[v.name]])) };
  });
  const after = mse();
  tf.dispose([train.x, train.y, held.x, held.y]);
  return {
    heldOutMse: { before, after },
    steps: opts.steps,
    embed(frames, n) {
      const out = new Float32Array(n * EMBEDDING_DIM);
      const size = FACE_SIZE * FACE_SIZE * 3;
      for (let i = 0; i < n; i += 1024) {
        const m = Math.min(1024, n - i);
        const e = tf.tidy(() =>
          embed(
            p,
            tf.tensor4d(Float32Array.from(frames.subarray(i * size, (i + m) * size)), [m, FACE_SIZE, FACE_SIZE, 3]),
          ),
        );
        out.set(e.dataSync(), i * EMBEDDING_DIM);
        e.dispose();
      }
      return out;
    },
  };
}
