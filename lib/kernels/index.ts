/**
 * What the wasm backend lacks for training (`bp.kernels`), installed by `initBackend`: the
 * `Conv2DBackpropFilter`, `MaxPoolGrad` and `UnsortedSegmentSum` kernels and the explicit-transpose
 * matmul gradient.
 */
export * from './conv2dBackpropFilter';
export * from './fastMatMulGradient';
export * from './maxPoolGrad';
export * from './unsortedSegmentSum';
export * from './wasmPatches';
