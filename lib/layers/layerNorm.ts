/**
 * Layer normalisation, forward and hand-derived backward.
 *
 * Every row x ∈ ℝᴰ (the last axis; all leading axes are rows) is normalised on its own:
 *
 *   μ = (1/D) Σⱼ xⱼ      σ² = (1/D) Σⱼ (xⱼ − μ)²      x̂ = (x − μ) / √(σ² + ε)
 *   out = γ ⊙ x̂ + β
 *
 * Backward, with g = dout ⊙ γ (sums over the D features of the row, σ̃ = √(σ² + ε)):
 *
 *   dx = (1 / (D·σ̃)) · (D·g − Σⱼ gⱼ − x̂ · Σⱼ gⱼ x̂ⱼ)
 *   dγ = Σ_rows dout ⊙ x̂        dβ = Σ_rows dout
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/**
 * What the backward needs (owned by the cache: `disposeCache(cache)`
 * (= `tf.dispose`) after the backward (lib/layers/cache.ts)).
 */
export type LayerNormCache = {
  /** Normalised input x̂ [..., D]. */
  xhat: tf.Tensor;
  /** 1 / √(σ² + ε) per row [..., 1]. */
  invStd: tf.Tensor;
  gamma: tf.Tensor1D;
};

/**
 * @param x input [..., D] (any number of leading axes)
 * @param gamma scale [D]
 * @param beta shift [D]
 * @param eps added to the variance (default 1e-5)
 * @returns `out` [..., D] and `cache`
 */
export function layerNormForward(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps = 1e-5,
): { out: tf.Tensor; cache: LayerNormCache } {
  checkArgs('layerNormForward')
    .rankAtLeast('x', x, 1, 'D')
    .tensor('x', x, x.shape, 'float32')
    .tensor('gamma', gamma, ['D'], 'float32')
    .tensor('beta', beta, ['D'], 'float32')
    .number('eps', eps, { min: 0, exclusiveMin: true });
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const { mean, variance } = tf.moments(x, -1, true);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(x, mean), invStd);
    const out = tf.add(tf.mul(xhat, gamma), beta);
    // END SOLUTION
    return { out, cache: { xhat, invStd, gamma: tf.clone(gamma) as tf.Tensor1D } };
  });
}

/**
 * Backward pass of {@link layerNormForward}.
 *
 * @param dout upstream gradient [..., D] (same shape as x)
 * @returns `dx` [..., D], `dgamma` [D], `dbeta` [D]
 */
export function layerNormBackward(
  dout: tf.Tensor,
  cache: LayerNormCache,
): { dx: tf.Tensor; dgamma: tf.Tensor1D; dbeta: tf.Tensor1D } {
  const { xhat, invStd, gamma } = cache;
  checkArgs('layerNormBackward').tensor('dout', dout, xhat.shape, 'float32');
  const D = gamma.shape[0];
  const rowAxes = xhat.shape.slice(0, -1).map((_, i) => i);
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dgamma = tf.sum(tf.mul(dout, xhat), rowAxes) as tf.Tensor1D;
    const dbeta = tf.sum(dout, rowAxes) as tf.Tensor1D;
    const g = tf.mul(dout, gamma);
    const sumG = tf.sum(g, -1, true);
    const sumGXhat = tf.sum(tf.mul(g, xhat), -1, true);
    const dx = tf.mul(tf.div(invStd, D), tf.sub(tf.sub(tf.mul(g, D), sumG), tf.mul(xhat, sumGXhat)));
    // END SOLUTION
    return { dx, dgamma, dbeta };
  });
}
