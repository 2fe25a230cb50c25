/**
 * backprop-lab — hand-derived forward/backward layers, models, data and notebook helpers.
 *
 * `tf` is re-exported so notebooks and user code share the library's tfjs instance.
 */
import * as tf from '@tensorflow/tfjs';
export { tf };
export * from './core/backend';
export * from './core/mode';
export * from './core/random';
export * from './core/validate';
export * from './layers/scaledDotProductAttention';
export * from './layers/attention';
export * from './layers/multiHeadAttention';
export * from './layers/layerNorm';
export * from './layers/attentionLstm';
export * from './kernels/conv2dBackpropFilter';
export * from './kernels/fastMatMulGradient';
export * from './kernels/wasmPatches';
export * from './layers/conv';
export * from './layers/pool';
export * from './layers/relu';
export * from './kernels/maxPoolGrad';
export * from './models/keyValueRetrieval';
export * from './display/kernel';
export * from './display/figurePage';
export * from './display/show';
export * from './display/charts';
export * from './display/table';
export * from './display/progress';
export * from './layers/affine';
export * from './optim/optimizer';
export * from './optim/sgd';
export * from './optim/sgdMomentum';
export * from './optim/adam';
export * from './optim/clip';
export * from './optim/schedules';
export * from './train/guard';
export * from './gradcheck';
export * from './losses/softmaxCrossEntropy';
export * from './losses/sigmoidBinaryCrossEntropy';
export * from './losses/distillationLoss';
export * from './losses/infoNceLoss';
export * from './layers/rnn';
export * from './layers/lstm';
export * from './layers/embedding';
export * from './layers/temporal';
export * from './kernels/unsortedSegmentSum';
export * from './analysis/gradientFlow';
export * from './models/addingProblem';
export * from './layers/cache';
export * from './metrics/bleu';
export * from './models/captioningRnn';
