/**
 * A correct `MaxPoolGrad` kernel for the wasm backend.
 *
 * tfjs-backend-wasm 4.22's own `MaxPoolGrad` (and `MaxPoolWithArgmax`) return wrong values
 * for common shapes — e.g. 2×2 windows with stride 2 on x [4, 28, 28, 8] differ from the cpu
 * backend by up to 2.8 — so every max-pooling CNN would train on wrong gradients. This kernel
 * replaces it. For output (n, y, x, c) with window maximum at offset (i*, j*) (the first
 * maximal element in row-major order, the cpu backend's rule):
 *
 *   dx[n, y·sh + i* − top, x·sw + j* − left, c] += dy[n, y, x, c]
 *
 * computed as: the windows of the (−∞)-padded input (`im2col`), the first arg-max per
 * window (`tf.argMax` returns the first maximal index), its flat input index, and one
 * scatter-add (`tf.scatterND` sums repeated indices, which is what overlapping
 * windows need).
 */
import * as tf from '@tensorflow/tfjs';
import { im2col } from '../ops/im2col';

type PoolGradAttrs = {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * dx [N, H, W, C] of max pooling, from the pooled input x [N, H, W, C] and dy [N, Ho, Wo, C].
 */
export function maxPoolInputGradient(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: PoolGradAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computePool2DInfo(
      x.shape,
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    // Pad with −∞ (never a maximum), far enough for every window, including 'ceil' overhangs.
    const Hp = Math.max(H + top + info.padInfo.bottom, (Ho - 1) * sh + kh);
    const Wp = Math.max(W + left + info.padInfo.right, (Wo - 1) * sw + kw);
    const xpad = tf.pad(
      x,
      [
        [0, 0],
        [top, Hp - H - top],
        [left, Wp - W - left],
        [0, 0],
      ],
      -Infinity,
    );
    const p = tf.argMax(im2col(xpad, kh, kw, [sh, sw]), 3); // [N, Ho, Wo, C]: first maximal offset i·kw + j
    // Flat index into xpad [N, Hp, Wp, C]: ((n·Hp + y·sh + i)·Wp + x·sw + j)·C + c.
    const n = tf.reshape(tf.range(0, N, 1, 'int32'), [N, 1, 1, 1]);
    const y = tf.reshape(tf.range(0, Ho * sh, sh, 'int32'), [1, Ho, 1, 1]);
    const xo = tf.reshape(tf.range(0, Wo * sw, sw, 'int32'), [1, 1, Wo, 1]);
    const c = tf.reshape(tf.range(0, C, 1, 'int32'), [1, 1, 1, C]);
    const int = (v: number): tf.Scalar => tf.scalar(v, 'int32'); // a plain number would make the sums float32
    const row = tf.add(tf.add(tf.mul(n, int(Hp)), y), tf.floorDiv(p, int(kw)));
    const col = tf.add(xo, tf.mod(p, int(kw)));
    const flat = tf.add(tf.mul(tf.add(tf.mul(row, int(Wp)), col), int(C)), c);
    const dxpad = tf.scatterND(tf.reshape(flat, [-1, 1]), tf.reshape(dy, [-1]), [N * Hp * Wp * C]);
    return tf.slice(tf.reshape(dxpad, [N, Hp, Wp, C]), [0, top, left, 0], [N, H, W, C]) as tf.Tensor4D;
  });
}

const kernelFunc: tf.KernelFunc = ({ inputs, attrs }) =>
  maxPoolInputGradient(
    inputs.input as tf.Tensor4D,
    inputs.dy as tf.Tensor4D,
    attrs as unknown as PoolGradAttrs,
  ) as unknown as tf.TensorInfo;

/**
 * Replaces wasm's `MaxPoolGrad` kernel with {@link maxPoolInputGradient} (idempotent).
 * Called by `initBackend` when wasm is active.
 */
export function registerWasmMaxPoolGrad(): void {
  if (tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc === kernelFunc) return;
  if (tf.getKernel('MaxPoolGrad', 'wasm')) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc });
}
