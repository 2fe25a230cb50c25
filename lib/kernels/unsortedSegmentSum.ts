/**
 * The `UnsortedSegmentSum` kernel for the wasm backend, which tfjs-backend-wasm 4.22 lacks; tfjs's
 * gradient of `tf.gather` calls it. The op itself is ops/segmentSum.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { unsortedSegmentSum } from '../ops/segmentSum';

/** Registers the kernel for wasm once (a no-op when the backend has one). Called by `initBackend`. */
export function registerWasmUnsortedSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) =>
      unsortedSegmentSum(
        inputs.x as tf.Tensor,
        inputs.segmentIds as tf.Tensor,
        (attrs as unknown as { numSegments: number }).numSegments,
      ) as unknown as tf.TensorInfo,
  });
}
