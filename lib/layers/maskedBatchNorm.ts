/**
 * Batch normalisation over the real positions of a padded batch of sequences (Tacotron 2's
 * encoder), forward and hand-derived backward.
 *
 * x [N, T, C], mask m [N, T] (1 = a real position), n = Σ m real positions, per channel c:
 *
 *   μ = (1/n) Σ m·x     σ² = (1/n) Σ m·(x − μ)²     x̂ = (x − μ)/√(σ² + ε)     y = γ ⊙ x̂ + β
 *
 * (with `stats` given, μ and σ² are those running statistics instead, constants). Backward,
 * for dy that is zero wherever m is (the caller zeroes padded outputs):
 *
 *   dγ = Σ dy ⊙ x̂      dβ = Σ dy      dx̂ = dy ⊙ γ
 *   batch statistics:  dx = m ⊙ (dx̂ − (1/n)Σ dx̂ − x̂ ⊙ (1/n)Σ dx̂ ⊙ x̂) / √(σ² + ε)
 *   running statistics: dx = dx̂ / √(σ² + ε)
 *
 * The sums run over the N·T positions; padded positions neither set the statistics nor get a
 * gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export const BATCH_NORM_EPS = 1e-5;

export type MaskedBatchNormCache = {
  xhat: tf.Tensor;
  invStd: tf.Tensor;
  gamma: tf.Tensor;
  mask: tf.Tensor;
  count: number;
  batchStatistics: boolean;
};

/**
 * x [N, T, C], mask [N, T], γ, β [C]; `stats` (running μ, σ²) or null for the batch's own.
 * @returns y [N, T, C], the batch's μ and σ² [C] (for the running averages) and the cache
 */
export function maskedBatchNormForward(
  x: tf.Tensor,
  mask: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  stats: { mean: tf.Tensor; variance: tf.Tensor } | null,
): { out: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor; cache: MaskedBatchNormCache } {
  const c = checkArgs('maskedBatchNormForward')
    .tensor('x', x, ['N', 'T', 'C'], 'float32')
    .tensor('mask', mask, ['N', 'T'], 'float32')
    .tensor('gamma', gamma, ['C'], 'float32')
    .tensor('beta', beta, ['C'], 'float32');
  if (stats) c.tensor('stats.mean', stats.mean, ['C'], 'float32').tensor('stats.variance', stats.variance, ['C']);
  const count = tf.tidy(() => tf.sum(mask).dataSync()[0]);
  c.require(stats !== null || count > 0, "argument 'mask' expected at least one real position for batch statistics");
  return tf.tidy(() => {
    const m3 = tf.expandDims(mask, 2);
    const mean = stats ? tf.clone(stats.mean) : tf.div(tf.sum(tf.mul(x, m3), [0, 1]), count);
    const centred = tf.sub(x, mean);
    const variance = stats ? tf.clone(stats.variance) : tf.div(tf.sum(tf.mul(tf.square(centred), m3), [0, 1]), count);
    const invStd = tf.rsqrt(tf.add(variance, BATCH_NORM_EPS));
    const xhat = tf.mul(centred, invStd);
    const out = tf.add(tf.mul(xhat, gamma), beta);
    const cache = { xhat, invStd, gamma: tf.clone(gamma), mask: tf.clone(mask), count, batchStatistics: !stats };
    return { out, mean, variance, cache };
  });
}

/** dy [N, T, C] (zero at padded positions) → dx [N, T, C], dγ, dβ [C]. */
export function maskedBatchNormBackward(
  dout: tf.Tensor,
  cache: MaskedBatchNormCache,
): { dx: tf.Tensor; dgamma: tf.Tensor; dbeta: tf.Tensor } {
  checkArgs('maskedBatchNormBackward').require(
    cache?.xhat instanceof tf.Tensor && !cache.xhat.isDisposed,
    "argument 'cache' expected the live cache returned by maskedBatchNormForward",
  );
  checkArgs('maskedBatchNormBackward').tensor('dout', dout, cache.xhat.shape, 'float32');
  const { xhat, invStd, gamma, mask, count, batchStatistics } = cache;
  return tf.tidy(() => {
    const dgamma = tf.sum(tf.mul(dout, xhat), [0, 1]);
    const dbeta = tf.sum(dout, [0, 1]);
    const dxhat = tf.mul(dout, gamma);
    if (!batchStatistics) return { dx: tf.mul(dxhat, invStd), dgamma, dbeta };
    const meanDxhat = tf.div(tf.sum(dxhat, [0, 1]), count);
    const meanDxhatXhat = tf.div(tf.sum(tf.mul(dxhat, xhat), [0, 1]), count);
    const dx = tf.mul(
      tf.mul(tf.sub(tf.sub(dxhat, meanDxhat), tf.mul(xhat, meanDxhatXhat)), invStd),
      tf.expandDims(mask, 2),
    );
    return { dx, dgamma, dbeta };
  });
}
