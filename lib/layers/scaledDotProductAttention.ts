/**
 * Scaled dot-product attention, forward and hand-derived backward.
 *
 * Each of the Lq queries scores every one of the Lk keys, turns the scores into a
 * probability distribution with a (masked) softmax, and returns the weighted average of
 * the values:
 *
 *   S   = Q·Kᵀ / √dk                                  [N, Lq, Lk]
 *   Wᵢⱼ = mᵢⱼ·exp(Sᵢⱼ) / Σₖ mᵢₖ·exp(Sᵢₖ)               (0 where the mask m is 0)
 *   out = W·V                                          [N, Lq, dv]
 *
 * Backward (softmax Jacobian, then through the two matmuls):
 *
 *   dV = Wᵀ·dout            dW = dout·Vᵀ
 *   dS = W ⊙ (dW − rowsum(dW ⊙ W))                     (zero wherever W is zero)
 *   dQ = dS·K / √dk         dK = dSᵀ·Q / √dk
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkCache } from './cache';
import { matMulAT, matMulBT } from '../ops/fastOps';

/**
 * What the backward needs. The cache owns its tensors (clones share data): `disposeCache(cache)` (= `tf.dispose`) after
 * the backward (lib/layers/cache.ts).
 */
export type ScaledDotProductAttentionCache = {
  Q: tf.Tensor3D;
  K: tf.Tensor3D;
  V: tf.Tensor3D;
  weights: tf.Tensor3D;
  scale: number;
};

/**
 * The masked, numerically stable softmax over the last axis of `scores` [N, Lq, Lk].
 * `allowed` (bool, broadcastable to `scores`) marks the visible keys, or is null for none masked.
 * Masked entries get weight exactly 0; a row with no visible key is all zeros (not NaN).
 */
export function maskedSoftmax(scores: tf.Tensor, allowed: tf.Tensor | null): tf.Tensor {
  checkArgs('maskedSoftmax')
    .rankAtLeast('scores', scores, 1)
    .require(
      allowed === null || (allowed instanceof tf.Tensor && allowed.dtype === 'bool'),
      "argument 'allowed' expected a bool tensor or null",
    );
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const s = allowed ? tf.where(allowed, scores, tf.scalar(-Infinity)) : scores;
    // Subtract the row max for stability; a row with every key masked has max −∞, so floor it.
    const shift = tf.maximum(tf.max(s, -1, true), -1e30);
    const e = tf.exp(tf.sub(s, shift)); // exp(−∞) = 0 exactly at masked keys
    // The max entry contributes exp(0) = 1, so denom ≥ 1 unless every key is masked (denom = 0).
    return tf.div(e, tf.maximum(tf.sum(e, -1, true), 1));
    // END SOLUTION
  });
}

/**
 * Turns a user mask (bool, or numbers with nonzero = visible) into a bool tensor, checking
 * that it is [N, Lq, Lk] or broadcastable [N, 1, Lk]. Returns null when there is no mask.
 */
export function attentionMaskToBool(
  fn: string,
  mask: tf.Tensor | undefined | null,
  N: number,
  Lq: number,
  Lk: number,
): tf.Tensor | null {
  if (mask === undefined || mask === null) return null;
  checkArgs(fn)
    .tensor('mask', mask, [N, 'Lm', Lk], ['bool', 'float32', 'int32'])
    .require(
      mask.shape[1] === Lq || mask.shape[1] === 1,
      `argument 'mask' expected shape [N=${N}, Lq=${Lq} or 1, Lk=${Lk}] but got [${mask.shape.join(', ')}]`,
    );
  return mask.dtype === 'bool' ? tf.clone(mask) : tf.notEqual(mask, 0);
}

/**
 * Scaled dot-product attention.
 *
 * @param Q queries [N, Lq, dk]
 * @param K keys [N, Lk, dk]
 * @param V values [N, Lk, dv]
 * @param mask optional [N, Lq, Lk] or [N, 1, Lk] (bool, or numbers with nonzero = visible);
 *   masked keys get weight exactly 0 and a query with no visible key outputs 0.
 * @returns `out` [N, Lq, dv], `weights` [N, Lq, Lk] (rows sum to 1 where any key is visible), `cache`.
 */
export function scaledDotProductAttention(
  Q: tf.Tensor,
  K: tf.Tensor,
  V: tf.Tensor,
  mask?: tf.Tensor | null,
): { out: tf.Tensor3D; weights: tf.Tensor3D; cache: ScaledDotProductAttentionCache } {
  const { N, Lq, Lk, dk } = checkArgs('scaledDotProductAttention')
    .tensor('Q', Q, ['N', 'Lq', 'dk'], 'float32')
    .tensor('K', K, ['N', 'Lk', 'dk'], 'float32')
    .tensor('V', V, ['N', 'Lk', 'dv'], 'float32').dims;
  const scale = 1 / Math.sqrt(dk);
  const { out, weights } = tf.tidy(() => {
    const allowed = attentionMaskToBool('scaledDotProductAttention', mask, N, Lq, Lk);
    // BEGIN SOLUTION
    const scores = tf.mul(matMulBT(Q, K), scale); // Q·Kᵀ / √dk
    const weights = maskedSoftmax(scores, allowed) as tf.Tensor3D;
    const out = tf.matMul(weights, V) as tf.Tensor3D;
    // END SOLUTION
    return { out, weights };
  });
  return {
    out,
    weights,
    cache: {
      Q: tf.clone(Q) as tf.Tensor3D,
      K: tf.clone(K) as tf.Tensor3D,
      V: tf.clone(V) as tf.Tensor3D,
      weights: tf.clone(weights),
      scale,
    },
  };
}

/**
 * Backward pass of {@link scaledDotProductAttention}.
 *
 * @param dout upstream gradient [N, Lq, dv]
 * @returns `dQ` [N, Lq, dk], `dK` [N, Lk, dk], `dV` [N, Lk, dv]
 */
export function scaledDotProductAttentionBackward(
  dout: tf.Tensor,
  cache: ScaledDotProductAttentionCache,
): { dQ: tf.Tensor3D; dK: tf.Tensor3D; dV: tf.Tensor3D } {
  checkCache('scaledDotProductAttentionBackward', cache, 'scaledDotProductAttention', [
    'Q',
    'K',
    'V',
    'weights',
    'scale',
  ]);
  const { Q, K, V, weights, scale } = cache;
  checkArgs('scaledDotProductAttentionBackward')
    .tensor('cache.Q', Q, ['N', 'Lq', 'dk'])
    .tensor('cache.K', K, ['N', 'Lk', 'dk'])
    .tensor('cache.V', V, ['N', 'Lk', 'dv'])
    .tensor('cache.weights', weights, ['N', 'Lq', 'Lk'])
    .tensor('dout', dout, ['N', 'Lq', 'dv'], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dV = matMulAT(weights, dout); // Wᵀ·dout
    const dW = matMulBT(dout, V); // dout·Vᵀ
    const dS = tf.mul(tf.mul(weights, tf.sub(dW, tf.sum(tf.mul(dW, weights), -1, true))), scale);
    const dQ = tf.matMul(dS, K);
    const dK = matMulAT(dS, Q); // dSᵀ·Q
    // END SOLUTION
    return { dQ: dQ as tf.Tensor3D, dK: dK as tf.Tensor3D, dV: dV as tf.Tensor3D };
  });
}
