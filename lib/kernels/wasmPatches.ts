/**
 * What `initBackend` adds when the wasm backend is active: the missing
 * `Conv2DBackpropFilter` kernel (so CNNs train by autodiff), a correct `MaxPoolGrad`
 * kernel in place of wasm's faulty one, the `UnsortedSegmentSum` kernel that the gradient of
 * `tf.gather` needs, and the explicit-transpose `BatchMatMul` gradient
 * (several times faster backward passes through `tf.matMul`).
 */
import { registerWasmConv2dBackpropFilter } from './conv2dBackpropFilter';
import { registerWasmMaxPoolGrad } from './maxPoolGrad';
import { useFastMatMulGradient } from './fastMatMulGradient';
import { registerWasmUnsortedSegmentSum } from './unsortedSegmentSum';

export function installWasmPatches(): void {
  registerWasmConv2dBackpropFilter();
  registerWasmMaxPoolGrad();
  registerWasmUnsortedSegmentSum();
  useFastMatMulGradient();
}
