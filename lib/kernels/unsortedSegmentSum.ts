/**
 * The `UnsortedSegmentSum` kernel for the wasm backend, which tfjs-backend-wasm 4.22 lacks.
 * tfjs's gradient of `tf.gather` (embeddings, per-step gathers) calls it, so without it
 * autodiff through any gather throws on wasm.
 *
 *   out[s, ...] = Σ_{k : ids[k] = s} x[k, ...]      x [K, ...], ids int32 [K] → out [S, ...]
 *
 * written as onehot(ids, S)ᵀ · x_rows, one [S, K]·[K, rest] matmul on wasm's own kernels.
 */
import * as tf from '@tensorflow/tfjs';

export function unsortedSegmentSumByMatMul(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const k = segmentIds.size;
    const rest = x.shape.slice(segmentIds.rank);
    const rows = tf.reshape(x, [k, rest.reduce((a, b) => a * b, 1)]);
    // onehot(ids)ᵀ [S, K] built with equal() (tf.oneHot refuses depth 1).
    const onehotT = tf.cast(tf.equal(tf.reshape(tf.range(0, numSegments, 1, 'int32'), [numSegments, 1]), tf.reshape(tf.cast(segmentIds, 'int32'), [1, k])), 'float32');
    return tf.reshape(tf.matMul(onehotT, tf.cast(rows, 'float32')), [numSegments, ...rest]);
  });
}

/** Registers the kernel for wasm once (a no-op when the backend has one). Called by `initBackend`. */
export function registerWasmUnsortedSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) =>
      unsortedSegmentSumByMatMul(inputs.x as tf.Tensor, inputs.segmentIds as tf.Tensor, (attrs as unknown as { numSegments: number }).numSegments) as unknown as tf.TensorInfo,
  });
}
