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
import { matMulAT, matMulBT } from './fastOps';

/** Output size of a window of `k` sliding with stride `s` over `n` positions. */
export function convOutputSize(n: number, k: number, s: number): number {
  return Math.floor((n - k) / s) + 1;
}

/**
 * Every KH×KW window of x, stride s (or [sh, sw]):
 * patches[n, y, x, i·KW + j, c] = x[n, y·sh + i, x·sw + j, c].
 * Built from pad/slice/reshape only (all of which tfjs can differentiate, and which run fast
 * on wasm: no strided or 6-D slices).
 *
 * @param x input [N, H, W, C] (already padded)
 * @returns patches [N, Ho, Wo, KH·KW, C]
 */
export function im2col(x: tf.Tensor, kh: number, kw: number, stride: number | [number, number]): tf.Tensor5D {
  const [sh, sw] = typeof stride === 'number' ? [stride, stride] : stride;
  const { N, H, W, C } = checkArgs('im2col').tensor('x', x, ['N', 'H', 'W', 'C'], 'float32')
    .number('kh', kh, { integer: true, min: 1 })
    .number('kw', kw, { integer: true, min: 1 })
    .number('stride', sh, { integer: true, min: 1 })
    .number('stride', sw, { integer: true, min: 1 }).dims;
  const Ho = convOutputSize(H, kh, sh);
  const Wo = convOutputSize(W, kw, sw);
  checkArgs('im2col').require(Ho >= 1 && Wo >= 1, `a ${kh}×${kw} window does not fit in a ${H}×${W} input`);
  return tf.tidy(() => {
    // BEGIN SOLUTION
    // Zeros below/right so that every offset (i, j) has a full Ho·sh × Wo·sw block to cut.
    const rows = Math.max(H, kh - 1 + Ho * sh);
    const cols = Math.max(W, kw - 1 + Wo * sw);
    const big = tf.pad(x, [[0, 0], [0, rows - H], [0, cols - W], [0, 0]]);
    const windows: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        // The block starting at (i, j); keep every sh-th row and sw-th column: element (y·sh + i, x·sw + j).
        const block = tf.slice(big, [0, i, j, 0], [N, Ho * sh, Wo * sw, C]);
        const everyRow = tf.slice(tf.reshape(block, [N * Ho, sh, Wo * sw * C]), [0, 0, 0], [N * Ho, 1, Wo * sw * C]);
        const everyCol = tf.slice(tf.reshape(everyRow, [N * Ho * Wo, sw, C]), [0, 0, 0], [N * Ho * Wo, 1, C]);
        windows.push(tf.reshape(everyCol, [N, Ho, Wo, C]));
      }
    return tf.stack(windows, 3) as tf.Tensor5D;
    // END SOLUTION
  });
}

/**
 * The adjoint of {@link im2col}: adds every patch entry back to the pixel it came from,
 * dx[n, y·s + i, x·s + j, c] += patches[n, y, x, i·KW + j, c].
 *
 * @param patches [N, Ho, Wo, KH·KW, C]
 * @returns dx [N, height, width, C]
 */
export function col2im(patches: tf.Tensor, opts: { height: number; width: number; kh: number; kw: number; stride: number }): tf.Tensor4D {
  const { height, width, kh, kw, stride } = opts;
  const c = checkArgs('col2im')
    .number('kh', kh, { integer: true, min: 1 })
    .number('kw', kw, { integer: true, min: 1 })
    .number('stride', stride, { integer: true, min: 1 })
    .number('height', height, { integer: true, min: kh })
    .number('width', width, { integer: true, min: kw });
  const Ho = convOutputSize(height, kh, stride);
  const Wo = convOutputSize(width, kw, stride);
  const { N, C } = c.tensor('patches', patches, ['N', Ho, Wo, kh * kw, 'C'], 'float32').dims;
  const s = stride;
  const P = kh * kw;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    // Group by window offset p = i·KW + j: [P, N·Ho·Wo, C].
    const byOffset = tf.transpose(tf.reshape(patches, [N * Ho * Wo, P, C]), [1, 0, 2]); // (3-D: fast on wasm)
    // Spread the window grid s pixels apart (zeros between), so window (y, x) sits at (y·s, x·s).
    const spreadCols = tf.pad(tf.reshape(byOffset, [P * N * Ho * Wo, 1, C]), [[0, 0], [0, s - 1], [0, 0]]);
    const spread = tf.pad(tf.reshape(spreadCols, [P * N * Ho, 1, Wo * s * C]), [[0, 0], [0, s - 1], [0, 0]]);
    const rows = tf.reshape(spread, [P, N * Ho * s * Wo * s * C]);
    // Offset (i, j) of every window lands at (y·s + i, x·s + j): shift each offset's grid by (i, j), add.
    const height2 = Math.max(height, kh - 1 + Ho * s);
    const width2 = Math.max(width, kw - 1 + Wo * s);
    const shifted: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const grid = tf.reshape(tf.slice(rows, [i * kw + j, 0], [1, -1]), [N, Ho * s, Wo * s, C]);
        shifted.push(tf.pad(grid, [[0, 0], [i, height2 - i - Ho * s], [j, width2 - j - Wo * s], [0, 0]]));
      }
    return tf.slice(tf.addN(shifted), [0, 0, 0, 0], [N, height, width, C]) as tf.Tensor4D;
    // END SOLUTION
  });
}

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
  x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, opts: { stride?: number; pad?: number } = {},
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
  checkArgs('conv2dForward').require(Ho >= 1 && Wo >= 1, `a ${KH}×${KW} filter does not fit in the padded ${H + 2 * pad}×${W + 2 * pad} input`);
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const xpad = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
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
export function conv2dBackward(dout: tf.Tensor, cache: Conv2dCache): { dx: tf.Tensor4D; dw: tf.Tensor4D; db: tf.Tensor1D } {
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
    const dw = tf.reshape(matMulAT(cols, dout2), [KH, KW, C, F]) as tf.Tensor4D;  // colsᵀ·dout
    const dcols = matMulBT(dout2, tf.reshape(w, [KH * KW * C, F]));  // dout·Wᵀ
    const dxpad = col2im(tf.reshape(dcols, [N, Ho, Wo, KH * KW, C]), { height: H + 2 * pad, width: W + 2 * pad, kh: KH, kw: KW, stride });
    const dx = tf.slice(dxpad, [0, pad, pad, 0], [N, H, W, C]) as tf.Tensor4D;
    // END SOLUTION
    return { dx, dw, db };
  });
}
