/**
 * Max pooling, forward and hand-derived backward.
 *
 * With input x [N, H, W, C], a PH×PW window and stride s (no padding):
 *
 *   out[n,y,x,c] = max_{i<PH, j<PW} x[n, y·s + i, x·s + j, c]
 *   Ho = ⌊(H − PH)/s⌋ + 1,  Wo = ⌊(W − PW)/s⌋ + 1
 *
 * The max is locally the identity on the winning element and constant in the others, so
 * the gradient of each output goes to its window's argmax and nowhere else:
 *
 *   dx[n, y·s + i*, x·s + j*, c] += dout[n,y,x,c]   where (i*, j*) = argmax of that window
 *
 * (overlapping windows, s < PH, may route several gradients to one pixel: they add up).
 *
 * Ties: when several elements of a window share the maximum, the whole gradient goes to
 * the FIRST of them in row-major window order (smallest i, then smallest j). This is one
 * valid subgradient; tfjs's own `tf.maxPool` gradient picks a tied element by its own rule.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { col2im, convOutputSize, im2col } from '../ops/im2col';

export type MaxPoolOptions = { poolHeight: number; poolWidth: number; stride: number };

/** What {@link maxPoolBackward} needs (owned by the cache: `tf.dispose(cache)` after the backward). */
export type MaxPoolCache = {
  /** One-hot position of each window's (first) maximum [N, Ho, Wo, PH·PW, C]. */
  argmaxMask: tf.Tensor5D;
  /** x's shape [N, H, W, C]. */
  xShape: [number, number, number, number];
  opts: MaxPoolOptions;
};

/**
 * @param x input [N, H, W, C]
 * @param opts window `poolHeight`×`poolWidth`, `stride`
 * @returns `out` [N, Ho, Wo, C] and the `cache` for {@link maxPoolBackward}
 */
export function maxPoolForward(x: tf.Tensor, opts: MaxPoolOptions): { out: tf.Tensor4D; cache: MaxPoolCache } {
  const { poolHeight: PH, poolWidth: PW, stride } = opts ?? ({} as MaxPoolOptions);
  const args = checkArgs('maxPoolForward')
    .tensor('x', x, ['N', 'H', 'W', 'C'], 'float32')
    .number('poolHeight', PH, { integer: true, min: 1 })
    .number('poolWidth', PW, { integer: true, min: 1 })
    .number('stride', stride, { integer: true, min: 1 });
  const { N, H, W, C } = args.dims;
  args.require(PH <= H && PW <= W, `a ${PH}×${PW} window does not fit in a ${H}×${W} input`);
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const windows = im2col(x, PH, PW, stride); // [N, Ho, Wo, PH·PW, C]
    const out = tf.max(windows, 3) as tf.Tensor4D;
    const first = tf.argMax(windows, 3); // [N, Ho, Wo, C]: tf.argMax returns the first maximal index
    const Ho = windows.shape[1],
      Wo = windows.shape[2],
      P = PH * PW;
    const oneHot = tf.reshape(tf.oneHot(first, P), [N * Ho * Wo, C, P]); // [.., C, P] → [.., P, C] like windows
    const argmaxMask = tf.reshape(tf.cast(tf.transpose(oneHot, [0, 2, 1]), 'float32'), [
      N,
      Ho,
      Wo,
      P,
      C,
    ]) as tf.Tensor5D;
    // END SOLUTION
    return { out, cache: { argmaxMask, xShape: [N, H, W, C], opts: { poolHeight: PH, poolWidth: PW, stride } } };
  });
}

/**
 * Backward pass of {@link maxPoolForward}: routes each output gradient to its window's argmax.
 *
 * @param dout upstream gradient [N, Ho, Wo, C]
 * @returns `dx` [N, H, W, C]
 */
export function maxPoolBackward(dout: tf.Tensor, cache: MaxPoolCache): { dx: tf.Tensor4D } {
  const { argmaxMask, xShape, opts } = cache;
  const [N, H, W, C] = xShape;
  const Ho = convOutputSize(H, opts.poolHeight, opts.stride);
  const Wo = convOutputSize(W, opts.poolWidth, opts.stride);
  checkArgs('maxPoolBackward').tensor('dout', dout, [N, Ho, Wo, C], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dwindows = tf.mul(argmaxMask, tf.expandDims(dout, 3)); // [N, Ho, Wo, PH·PW, C]
    const dx = col2im(dwindows, { height: H, width: W, kh: opts.poolHeight, kw: opts.poolWidth, stride: opts.stride });
    // END SOLUTION
    return { dx };
  });
}
