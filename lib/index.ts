/**
 * backprop-lab — hand-derived forward/backward layers, models, data and notebook helpers.
 *
 * Flat on `bp`: the teaching core every notebook uses — backend and randomness, the hand-written
 * layers and losses, gradient checks, optimisers and the training loop, experiments over seeds,
 * CTC decoding and the everyday display calls. Everything else is a namespace: `bp.audio`,
 * `bp.data`, `bp.metrics`, `bp.display`, `bp.kernels`, and one per notebook topic
 * (`bp.sequenceTasks`, `bp.captioning`, `bp.listener`, `bp.tacotron`, `bp.multilabel`,
 * `bp.multimodal`, `bp.latent`). README.md, "The API on one screen", maps it.
 *
 * `tf` is re-exported so notebooks and user code share the library's tfjs instance.
 */
import * as tf from '@tensorflow/tfjs';
export { tf };

// Backend, randomness, argument checks, quick mode
export * from './backend/backend';
export * from './core/mode';
export * from './core/projectRoot';
export * from './core/random';
export * from './core/validate';
export * from './core/debugChecks';

// Ops that layers and kernels share
export * from './ops/fastOps';
export * from './ops/im2col';

// Hand-written layers: forward/backward pairs
export * from './layers/affine';
export * from './layers/affineCoupling';
export * from './layers/attentionLstm';
export * from './layers/attentionLstmStep';
export * from './layers/cache';
export * from './layers/conv';
export * from './layers/dropout';
export * from './layers/embedding';
export * from './layers/gru';
export * from './layers/layerNorm';
export * from './layers/locationSensitiveAttention';
export * from './layers/lstm';
export * from './layers/lstmGates';
export * from './layers/maskedMean';
export * from './layers/multiHeadAttention';
export * from './layers/multiHeadAttentionParams';
export * from './layers/pool';
export * from './layers/positionalEncoding';
export * from './layers/relu';
export * from './layers/reparameterize';
export * from './layers/rnn';
export * from './layers/scaledDotProductAttention';
export * from './layers/spatialAttention';
export * from './layers/temporal';
export * from './layers/transformerBlock';

// Losses with their gradients; CTC decoding
export * from './losses/attributeRegularization';
export * from './losses/ctc';
export * from './losses/distillationLoss';
export * from './losses/gaussianKl';
export * from './losses/infoNceLoss';
export * from './losses/sigmoidBinaryCrossEntropy';
export * from './losses/softmaxCrossEntropy';
export * from './decode/ctcGreedy';
export * from './decode/ctcPrefixBeamSearch';
export * from './decode/labelNgram';

// Gradient checking; gradient flow through time (notebooks 01–02)
export * from './analysis/gradcheck';
export * from './analysis/gradientFlow';

// Optimisers, clipping, schedules; the training loop and its guard
export * from './optim/adam';
export * from './optim/clip';
export * from './optim/optimizer';
export * from './optim/schedules';
export * from './optim/sgd';
export * from './optim/sgdMomentum';
export * from './train/guard';
export * from './train/lengthBuckets';
export * from './train/seededBatches';
export * from './train/softmaxHeads';
export * from './train/trainLoop';
export * from './train/trainingState';

// Experiments over seeds (mean ± 95% interval), result tables, data frames, CSV export
export * from './experiments/dataFrames';
export * from './experiments/datasetSummary';
export * from './experiments/seeds';
export { seedTask, defaultSeedThreads, type SeedTask, type SeedTaskExperiment } from './experiments/seedThreads';
export * from './experiments/statistics';
export * from './experiments/errorRateInterval';
export * from './experiments/tableExport';

// The everyday display calls (the rest is bp.display)
export { show, showHtml, showMarkdown } from './display/show';
export { showTable } from './display/table';
export { lineChart, heatmap, barChart, imageGrid } from './display/charts';
export { progress } from './display/progress';
export { showAudio } from './display/audio';
export type { PlotlyFigure } from './display/figurePage';

// Namespaces
export * as audio from './audio';
export * as data from './data';
export * as display from './display';
export * as kernels from './kernels';
export * as metrics from './metrics';
export * as sequenceTasks from './models/sequenceTasks';
export * as captioning from './models/captioning';
export * as listener from './models/listener';
export * as tacotron from './models/tacotron2';
export * as multilabel from './models/multilabel';
export * as multimodal from './models/multimodal';
export * as latent from './models/latent';
