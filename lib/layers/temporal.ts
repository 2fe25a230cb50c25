/**
 * Layers applied at every time step: an affine map to vocabulary scores and the masked
 * softmax loss over a sequence (CS231n / EECS 498 captioning).
 *
 * Caches own their tensors (clones share data): `tf.dispose(cache)` after the backward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { matMulAT, matMulBT } from '../ops/fastOps';

export type TemporalAffineCache = {
  xRows: tf.Tensor;
  w: tf.Tensor;
  dims: { N: number; T: number; D: number; M: number };
};

/** out[n, t] = x[n, t]·w + b:  x [N, T, D], w [D, M], b [M] → out [N, T, M] (one matmul over N·T rows). */
export function temporalAffineForward(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
): { out: tf.Tensor; cache: TemporalAffineCache } {
  const { N, T, D, M } = checkArgs('temporalAffineForward')
    .tensor('x', x, ['N', 'T', 'D'], 'float32')
    .tensor('w', w, ['D', 'M'], 'float32')
    .tensor('b', b, ['M'], 'float32').dims;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const xRows = tf.reshape(x, [N * T, D]);
    const out = tf.reshape(tf.add(tf.matMul(xRows, w), b), [N, T, M]);
    // END SOLUTION
    return { out, cache: { xRows, w: tf.clone(w), dims: { N, T, D, M } } };
  });
}

/** dout [N, T, M] → dx = dout·wᵀ [N, T, D], dw = Σ xᵀ·dout [D, M], db = Σ dout [M]. */
export function temporalAffineBackward(
  dout: tf.Tensor,
  cache: TemporalAffineCache,
): { dx: tf.Tensor; dw: tf.Tensor; db: tf.Tensor } {
  checkArgs('temporalAffineBackward').require(
    cache?.dims !== undefined,
    "argument 'cache' expected the cache returned by temporalAffineForward",
  );
  const { N, T, D, M } = cache.dims;
  checkArgs('temporalAffineBackward')
    .tensor('cache.xRows', cache.xRows, [N * T, D])
    .tensor('dout', dout, [N, T, M], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const doutRows = tf.reshape(dout, [N * T, M]);
    const dx = tf.reshape(matMulBT(doutRows, cache.w), [N, T, D]); // dout·wᵀ
    const dw = matMulAT(cache.xRows, doutRows); // xᵀ·dout over all N·T rows
    const db = tf.sum(doutRows, 0);
    // END SOLUTION
    return { dx, dw, db };
  });
}

/**
 * Masked softmax cross-entropy over a sequence, summed over time and averaged over the batch:
 *
 *   L = −(1/N) Σₙ Σₜ mask[n,t] · log softmax(x[n,t])[y[n,t]]
 *   ∂L/∂x[n,t] = mask[n,t] · (softmax(x[n,t]) − onehot(y[n,t])) / N
 *
 * Masked positions (padding after <END>) contribute nothing; a fully masked row gives zero
 * loss and zero gradient. Uses a stable log-softmax.
 *
 * @param x    [N, T, V] scores
 * @param y    [N, T] int32 targets in [0, V) (checked)
 * @param mask [N, T] bool, or float32 of 0/1 (1 = counts; checked)
 */
export function temporalSoftmaxLoss(x: tf.Tensor, y: tf.Tensor, mask: tf.Tensor): { loss: number; dx: tf.Tensor } {
  const c = checkArgs('temporalSoftmaxLoss')
    .tensor('x', x, ['N', 'T', 'V'], 'float32')
    .tensor('y', y, ['N', 'T'], 'int32')
    .tensor('mask', mask, ['N', 'T'], ['bool', 'float32']);
  const { N, T, V } = c.dims;
  c.classIndices('y', y, V).binaryValues('mask', mask);
  const [lossT, dx] = tf.tidy(() => {
    // BEGIN SOLUTION
    const rows = tf.reshape(x, [N * T, V]);
    const m = tf.reshape(tf.cast(mask, 'float32'), [N * T, 1]);
    const shifted = tf.sub(rows, tf.max(rows, 1, true));
    const logProbs = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true)));
    const onehot = tf.oneHot(tf.reshape(y, [N * T]), V);
    const loss = tf.div(tf.sum(tf.mul(m, tf.mul(onehot, tf.neg(logProbs)))), N);
    const dx = tf.reshape(tf.div(tf.mul(m, tf.sub(tf.exp(logProbs), onehot)), N), [N, T, V]);
    // END SOLUTION
    return [loss, dx];
  });
  const loss = lossT.dataSync()[0];
  lossT.dispose();
  return { loss, dx };
}
