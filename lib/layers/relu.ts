/**
 * ReLU, forward and hand-derived backward.
 *
 *   out = max(0, x)          dx = dout ⊙ [x > 0]
 *
 * At x = 0 exactly the function has a kink; the backward uses the subgradient 0 there
 * (the same choice as tfjs's `tf.relu` gradient).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** What {@link reluBackward} needs (owned by the cache: `tf.dispose(cache)` after the backward). */
export type ReluCache = {
  /** The input x (any shape). */
  x: tf.Tensor;
};

/**
 * @param x input of any shape
 * @returns `out` (same shape as x) and the `cache` for {@link reluBackward}
 */
export function reluForward(x: tf.Tensor): { out: tf.Tensor; cache: ReluCache } {
  checkArgs('reluForward').rankAtLeast('x', x, 0).tensor('x', x, x.shape, 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const out = tf.maximum(x, 0);
    // END SOLUTION
    return { out, cache: { x: tf.clone(x) } };
  });
}

/**
 * Backward pass of {@link reluForward}.
 *
 * @param dout upstream gradient (same shape as x)
 * @returns `dx` (same shape as x)
 */
export function reluBackward(dout: tf.Tensor, cache: ReluCache): { dx: tf.Tensor } {
  checkArgs('reluBackward').tensor('dout', dout, cache.x.shape, 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dx = tf.mul(dout, tf.cast(tf.greater(cache.x, 0), 'float32'));
    // END SOLUTION
    return { dx };
  });
}
