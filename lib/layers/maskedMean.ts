/**
 * Masked mean over time: the average of a sequence's real (unpadded) frames.
 *
 *   pooled[n] = Σ_t m[n,t]·x[n,t] / Σ_t m[n,t]        x [N, T, E], m [N, T] (1 at real frames)
 *   dx[n,t]   = m[n,t]·dpooled[n] / Σ_t m[n,t]
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export type MaskedMeanCache = { weights: tf.Tensor3D };

/** x [N, T, E], valid [N, T] → pooled [N, E] (see the module comment). */
export function maskedMeanForward(x: tf.Tensor, valid: tf.Tensor): { out: tf.Tensor2D; cache: MaskedMeanCache } {
  checkArgs('maskedMeanForward')
    .tensor('x', x, ['N', 'T', 'E'], 'float32')
    .tensor('valid', valid, ['N', 'T'], 'float32');
  return tf.tidy(() => {
    const weights = tf.expandDims(tf.div(valid, tf.sum(valid, 1, true)), 2) as tf.Tensor3D; // m / Σm  [N, T, 1]
    return { out: tf.sum(tf.mul(x, weights), 1) as tf.Tensor2D, cache: { weights } };
  });
}

/** dpooled [N, E] → dx [N, T, E]. */
export function maskedMeanBackward(dout: tf.Tensor, cache: MaskedMeanCache): tf.Tensor3D {
  checkArgs('maskedMeanBackward').tensor('dout', dout, [cache?.weights?.shape[0], 'E'], 'float32');
  return tf.tidy(() => tf.mul(tf.expandDims(dout, 1), cache.weights) as tf.Tensor3D);
}
