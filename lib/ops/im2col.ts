/**
 * im2col and its adjoint col2im: every sliding window of an image laid out as one row, so a
 * convolution (layers/conv.ts) becomes one matrix product and its input gradient a scatter-add
 * back to the pixels (also used by the wasm max-pool gradient in kernels/maxPoolGrad.ts).
 *
 *   patches[n, y, x, i·KW + j, c] = x[n, y·s + i, x·s + j, c]        (im2col)
 *   dx[n, y·s + i, x·s + j, c]   += patches[n, y, x, i·KW + j, c]     (col2im, the adjoint)
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

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
  const { N, H, W, C } = checkArgs('im2col')
    .tensor('x', x, ['N', 'H', 'W', 'C'], 'float32')
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
    const big = tf.pad(x, [
      [0, 0],
      [0, rows - H],
      [0, cols - W],
      [0, 0],
    ]);
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
export function col2im(
  patches: tf.Tensor,
  opts: { height: number; width: number; kh: number; kw: number; stride: number },
): tf.Tensor4D {
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
    const spreadCols = tf.pad(tf.reshape(byOffset, [P * N * Ho * Wo, 1, C]), [
      [0, 0],
      [0, s - 1],
      [0, 0],
    ]);
    const spread = tf.pad(tf.reshape(spreadCols, [P * N * Ho, 1, Wo * s * C]), [
      [0, 0],
      [0, s - 1],
      [0, 0],
    ]);
    const rows = tf.reshape(spread, [P, N * Ho * s * Wo * s * C]);
    // Offset (i, j) of every window lands at (y·s + i, x·s + j): shift each offset's grid by (i, j), add.
    const height2 = Math.max(height, kh - 1 + Ho * s);
    const width2 = Math.max(width, kw - 1 + Wo * s);
    const shifted: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const grid = tf.reshape(tf.slice(rows, [i * kw + j, 0], [1, -1]), [N, Ho * s, Wo * s, C]);
        shifted.push(
          tf.pad(grid, [
            [0, 0],
            [i, height2 - i - Ho * s],
            [j, width2 - j - Wo * s],
            [0, 0],
          ]),
        );
      }
    return tf.slice(tf.addN(shifted), [0, 0, 0, 0], [N, height, width, C]) as tf.Tensor4D;
    // END SOLUTION
  });
}
