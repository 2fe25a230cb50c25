/**
 * Affine (fully connected) layer:
 *
 *   out = x · w + b                     x [N, D], w [D, M], b [M] → out [N, M]
 *   dx = dout · wᵀ,  dw = xᵀ · dout,  db = Σ_n dout[n]
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { matMulAT, matMulBT } from '../ops/fastOps';

export type AffineCache = { x: tf.Tensor; w: tf.Tensor };

export function affineForward(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): { out: tf.Tensor; cache: AffineCache } {
  checkArgs('affineForward')
    .tensor('x', x, ['N', 'D'], 'float32')
    .tensor('w', w, ['D', 'M'], 'float32')
    .tensor('b', b, ['M'], 'float32');
  // BEGIN SOLUTION
  const out = tf.tidy(() => tf.add(tf.matMul(x, w), b));
  // END SOLUTION
  return { out, cache: { x: tf.clone(x), w: tf.clone(w) } };
}

/**
 * dout [N, M] → { dx [N, D], dw [D, M], db [M] }. The cache owns its tensors
 * (clones share data): `tf.dispose(cache)` after the backward.
 */
export function affineBackward(dout: tf.Tensor, cache: AffineCache): { dx: tf.Tensor; dw: tf.Tensor; db: tf.Tensor } {
  const { x, w } = cache;
  checkArgs('affineBackward')
    .tensor('cache.x', x, ['N', 'D'])
    .tensor('cache.w', w, ['D', 'M'])
    .tensor('dout', dout, ['N', 'M'], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dx = matMulBT(dout, w); // dout·wᵀ
    const dw = matMulAT(x, dout); // xᵀ·dout
    const db = tf.sum(dout, 0);
    // END SOLUTION
    return { dx, dw, db };
  });
}
