/**
 * 2-D convolution (cross-correlation, as in every deep-learning library), forward and
 * hand-derived backward, by im2col + one matrix product.
 *
 * With input x [N, H, W, C] zero-padded by `pad` on each side to xpad [N, Hp, Wp, C]
 * (Hp = H + 2·pad), filters w [KH, KW, C, F], bias b [F] and stride s:
 *
 *   out[n,y,x,f] = b[f] + Σ_{i<KH, j<KW, c<C} xpad[n, y·s + i, x·s + j, c] · w[i,j,c,f]
 *   Ho = ⌊(Hp − KH)/s⌋ + 1,  Wo = ⌊(Wp − KW)/s⌋ + 1
 *
 * im2col lays every receptive field out as one row, cols [N·Ho·Wo, KH·KW·C], so the whole
 * layer is one matmul with the filters flattened to Wmat [KH·KW·C, F]:
 *
 *   out = cols · Wmat + b
 *   dWmat = colsᵀ · dout        db = Σ_rows dout        dcols = dout · Wmatᵀ
 *
 * and dx is col2im(dcols): every entry of dcols is added back to the input pixel it was
 * copied from (pixels shared by overlapping windows collect several contributions).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { matMulAT, matMulBT } from '../ops/fastOps';
import { col2im, convOutputSize, im2col } from '../ops/im2col';

/** What {@link conv2dBackward} needs (owned by the cache: `tf.dispose(cache)` after the backward). */
export type Conv2dCache = {
  /** Receptive fields, one per row [N·Ho·Wo, KH·KW·C]. */
  cols: tf.Tensor2D;
  /** The filters [KH, KW, C, F]. */
  w: tf.Tensor4D;
  /** x's shape [N, H, W, C]. */
  xShape: [number, number, number, number];
  stride: number;
  pad: number;
};

/**
 * Convolution forward by im2col.
 *
 * @param x input [N, H, W, C]
 * @param w filters [KH, KW, C, F]
 * @param b bias [F]
 * @param opts `stride` (default 1) and `pad` — zeros added on each side of H and W (default 0)
 * @returns `out` [N, Ho, Wo, F] and the `cache` for {@link conv2dBackward}
 */
export function conv2dForward(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  opts: { stride?: number; pad?: number } = {},
): { out: tf.Tensor4D; cache: Conv2dCache } {
  const { stride = 1, pad = 0 } = opts;
  const { N, H, W, C, KH, KW, F } = checkArgs('conv2dForward')
    .tensor('x', x, ['N', 'H', 'W', 'C'], 'float32')
    .tensor('w', w, ['KH', 'KW', 'C', 'F'], 'float32')
    .tensor('b', b, ['F'], 'float32')
    .number('stride', stride, { integer: true, min: 1 })
    .number('pad', pad, { integer: true, min: 0 }).dims;
  const Ho = convOutputSize(H + 2 * pad, KH, stride);
  const Wo = convOutputSize(W + 2 * pad, KW, stride);
  checkArgs('conv2dForward').require(
    Ho >= 1 && Wo >= 1,
    `a ${KH}×${KW} filter does not fit in the padded ${H + 2 * pad}×${W + 2 * pad} input`,
  );
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const xpad = tf.pad(x, [
      [0, 0],
      [pad, pad],
      [pad, pad],
      [0, 0],
    ]);
    const cols = tf.reshape(im2col(xpad, KH, KW, stride), [N * Ho * Wo, KH * KW * C]) as tf.Tensor2D;
    const out = tf.reshape(tf.add(tf.matMul(cols, tf.reshape(w, [KH * KW * C, F])), b), [N, Ho, Wo, F]) as tf.Tensor4D;
    // END SOLUTION
    return { out, cache: { cols, w: tf.clone(w) as tf.Tensor4D, xShape: [N, H, W, C], stride, pad } };
  });
}

/**
 * Backward pass of {@link conv2dForward}.
 *
 * @param dout upstream gradient [N, Ho, Wo, F]
 * @returns `dx` [N, H, W, C], `dw` [KH, KW, C, F], `db` [F]
 */
export function conv2dBackward(
  dout: tf.Tensor,
  cache: Conv2dCache,
): { dx: tf.Tensor4D; dw: tf.Tensor4D; db: tf.Tensor1D } {
  const { cols, w, xShape, stride, pad } = cache;
  const [N, H, W, C] = xShape;
  const [KH, KW, , F] = w.shape;
  const Ho = convOutputSize(H + 2 * pad, KH, stride);
  const Wo = convOutputSize(W + 2 * pad, KW, stride);
  checkArgs('conv2dBackward').tensor('dout', dout, [N, Ho, Wo, F], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dout2 = tf.reshape(dout, [N * Ho * Wo, F]);
    const db = tf.sum(dout2, 0) as tf.Tensor1D;
    const dw = tf.reshape(matMulAT(cols, dout2), [KH, KW, C, F]) as tf.Tensor4D; // colsᵀ·dout
    const dcols = matMulBT(dout2, tf.reshape(w, [KH * KW * C, F])); // dout·Wᵀ
    const dxpad = col2im(tf.reshape(dcols, [N, Ho, Wo, KH * KW, C]), {
      height: H + 2 * pad,
      width: W + 2 * pad,
      kh: KH,
      kw: KW,
      stride,
    });
    const dx = tf.slice(dxpad, [0, pad, pad, 0], [N, H, W, C]) as tf.Tensor4D;
    // END SOLUTION
    return { dx, dw, db };
  });
}
