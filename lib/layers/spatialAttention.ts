/**
 * Spatial attention for captioning: dot-product attention of one query vector over a
 * spatial feature map (the attention of "show, attend and tell"-style captioning, EECS 498 A5).
 *
 * The hidden state h [N, H] is the query; the P·P spatial columns of the feature map
 * A [N, H, P, P] are both the keys and the values:
 *
 *   A_flat = reshape(A, [N, H, P·P])
 *   scores = A_flatᵀ·h / √H                 [N, P·P]
 *   w      = softmax(scores)                [N, P·P]   (shown as attnWeights [N, P, P])
 *   attn   = A_flat·w                       [N, H]
 *
 * This is scaled dot-product attention with one query (Lq = 1) and K = V = A_flatᵀ, so
 * forward and backward are {@link scaledDotProductAttention} and its backward; because A
 * is used as keys AND values, its gradient is the sum of the two: dA = (dK + dV)ᵀ.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkCache } from './cache';
import {
  scaledDotProductAttention,
  scaledDotProductAttentionBackward,
  ScaledDotProductAttentionCache,
} from './scaledDotProductAttention';

/**
 * What the backward needs; owns its tensors: `disposeCache(cache)`
 * (= `tf.dispose`) after the backward (lib/layers/cache.ts).
 */
export type DotProductAttentionCache = {
  inner: ScaledDotProductAttentionCache;
  /** Spatial side P of the feature map. */
  P: number;
};

/**
 * @param prevH query (the previous hidden state) [N, H]
 * @param A feature map [N, H, P, P]
 * @returns `attn` [N, H], `attnWeights` [N, P, P] (each map sums to 1), `cache`
 */
export function dotProductAttention(
  prevH: tf.Tensor,
  A: tf.Tensor,
): { attn: tf.Tensor2D; attnWeights: tf.Tensor3D; cache: DotProductAttentionCache } {
  const { N, H, P } = checkArgs('dotProductAttention')
    .tensor('prevH', prevH, ['N', 'H'], 'float32')
    .tensor('A', A, ['N', 'H', 'P', 'P'], 'float32').dims;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const keys = tf.transpose(tf.reshape(A, [N, H, P * P]), [0, 2, 1]); // [N, P·P, H]
    const query = tf.reshape(prevH, [N, 1, H]);
    const { out, weights, cache } = scaledDotProductAttention(query, keys, keys);
    const attn = tf.reshape(out, [N, H]) as tf.Tensor2D;
    const attnWeights = tf.reshape(weights, [N, P, P]) as tf.Tensor3D;
    // END SOLUTION
    return { attn, attnWeights, cache: { inner: cache, P } };
  });
}

/**
 * Backward pass of {@link dotProductAttention}.
 *
 * @param dattn upstream gradient [N, H]
 * @returns `dprevH` [N, H], `dA` [N, H, P, P]
 */
export function dotProductAttentionBackward(
  dattn: tf.Tensor,
  cache: DotProductAttentionCache,
): { dprevH: tf.Tensor2D; dA: tf.Tensor4D } {
  checkCache('dotProductAttentionBackward', cache, 'dotProductAttention', ['inner', 'P']);
  const { P } = cache;
  const { N, H } = checkArgs('dotProductAttentionBackward')
    .tensor('cache.inner.Q', cache.inner.Q, ['N', 1, 'H'])
    .tensor('dattn', dattn, ['N', 'H'], 'float32').dims;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const { dQ, dK, dV } = scaledDotProductAttentionBackward(tf.reshape(dattn, [N, 1, H]), cache.inner);
    const dprevH = tf.reshape(dQ, [N, H]) as tf.Tensor2D;
    const dA = tf.reshape(tf.transpose(tf.add(dK, dV), [0, 2, 1]), [N, H, P, P]) as tf.Tensor4D;
    // END SOLUTION
    return { dprevH, dA };
  });
}
