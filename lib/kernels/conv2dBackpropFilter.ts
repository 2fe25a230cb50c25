/**
 * The `Conv2DBackpropFilter` kernel for the wasm backend, which tfjs-backend-wasm 4.22 lacks
 * (so `tf.grads` through `tf.conv2d`, and training any `tf.layers` CNN, throws on wasm).
 *
 * The filter gradient of out[n,y,x,f] = Σ_{i,j,c} xpad[n, y·sh + i, x·sw + j, c] · w[i,j,c,f] is
 *
 *   dw[i,j,c,f] = Σ_{n,y,x} xpad[n, y·sh + i, x·sw + j, c] · dy[n,y,x,f]
 *
 * which is itself a convolution: read the channel axis c as the batch, the batch axis n as the
 * input channels, and dy as a filter of size Ho×Wo applied with dilation (sh, sw) and stride 1:
 *
 *   dwᵀ[c,i,j,f] = conv2d(xpadᵀ[c, Hp, Wp, n], dyᵀ[Ho, Wo, n, f], stride 1, dilation (sh, sw), 'valid')
 *
 * The valid output is Hp − (Ho−1)·sh ≥ kh rows (the last rows only touch input the forward
 * never read), so it is cropped to kh×kw. This runs on wasm's own (XNNPACK) Conv2D kernel,
 * which is several times faster here than an im2col + matmul of the same sums.
 */
import * as tf from '@tensorflow/tfjs';

type FilterAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
};

/**
 * dw[kh, kw, C, F] from the layer input x[N, H, W, C] (or [N, C, H, W] for NCHW) and the
 * output gradient dy[N, Ho, Wo, F]; stride, 'same'/'valid'/explicit padding, dilation 1.
 */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: FilterAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const channelsFirst = attrs.dataFormat === 'NCHW';
    const xs = channelsFirst ? tf.transpose(x, [0, 2, 3, 1]) : x;
    const dys = channelsFirst ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
    const info = tf.backend_util.computeConv2DInfo(
      xs.shape,
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { top, bottom, left, right } = info.padInfo;
    const [kh, kw] = attrs.filterShape;
    // With dimRoundingMode 'ceil' the last window can overhang the padded input: read zeros there.
    const overhangH = Math.max(0, (info.outHeight - 1) * info.strideHeight + kh - (info.inHeight + top + bottom));
    const overhangW = Math.max(0, (info.outWidth - 1) * info.strideWidth + kw - (info.inWidth + left + right));
    const xpad = tf.pad(xs, [
      [0, 0],
      [top, bottom + overhangH],
      [left, right + overhangW],
      [0, 0],
    ]);
    const xT = tf.transpose(xpad, [3, 1, 2, 0]); // [C, Hp, Wp, N]
    const dyT = tf.transpose(dys, [1, 2, 0, 3]); // [Ho, Wo, N, F]
    const full = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]); // [C, ≥kh, ≥kw, F]
    const cropped = tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * Registers {@link conv2dFilterGradient} as wasm's `Conv2DBackpropFilter` kernel (once; a
 * no-op when the backend already has one). Called by `initBackend` when wasm is active.
 *
 * The kernel body runs ordinary tf ops: inside a kernel tfjs records nothing on the gradient
 * tape, and it accepts a Tensor as a kernel's output (the way tfjs-node's kernels return).
 */
export function registerWasmConv2dBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) =>
      conv2dFilterGradient(
        inputs.x as tf.Tensor4D,
        inputs.dy as tf.Tensor4D,
        attrs as unknown as FilterAttrs,
      ) as unknown as tf.TensorInfo,
  });
}
