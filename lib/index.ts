/**
 * backprop-lab — hand-derived forward/backward layers, models, data and notebook helpers.
 *
 * `tf` is re-exported so notebooks and user code share the library's tfjs instance.
 */
import * as tf from '@tensorflow/tfjs';
export { tf };

// Backend, randomness, argument checks, quick mode
export * from './core/backend';
export * from './core/mode';
export * from './core/random';
export * from './core/validate';

// Hand-written layers: forward/backward pairs
export * from './layers/affine';
export * from './layers/attentionLstm';
export * from './layers/attentionLstmStep';
export * from './layers/cache';
export * from './layers/conv';
export * from './layers/embedding';
export * from './layers/fastOps';
export * from './layers/layerNorm';
export * from './layers/lstm';
export * from './layers/lstmGates';
export * from './layers/gru';
export * from './layers/multiHeadAttention';
export * from './layers/multiHeadAttentionParams';
export * from './layers/pool';
export * from './layers/relu';
export * from './layers/rnn';
export * from './layers/scaledDotProductAttention';
export * from './layers/spatialAttention';
export * from './layers/temporal';
export * from './layers/dropout';
export * from './layers/positionalEncoding';
export * from './layers/transformerBlock';
export * from './layers/reparameterize';
export * from './layers/affineCoupling';
export * from './layers/locationSensitiveAttention';

// Losses with their gradients
export * from './losses/attributeRegularization';
export * from './losses/ctc';
export * from './losses/distillationLoss';
export * from './losses/gaussianKl';
export * from './losses/infoNceLoss';
export * from './losses/sigmoidBinaryCrossEntropy';
export * from './losses/softmaxCrossEntropy';

// Gradient checking
export * from './gradcheck';

// Optimizers, clipping, schedules; training guard
export * from './optim/adam';
export * from './optim/clip';
export * from './optim/optimizer';
export * from './optim/schedules';
export * from './optim/sgd';
export * from './optim/sgdMomentum';
export * from './train/guard';
export * from './train/seededBatches';
export * from './train/trainLoop';

// What the wasm backend lacks for training
export * from './kernels/conv2dBackpropFilter';
export * from './kernels/fastMatMulGradient';
export * from './kernels/maxPoolGrad';
export * from './kernels/unsortedSegmentSum';
export * from './kernels/wasmPatches';

// Experiments over seeds (mean ± 95% interval), result tables and dataset summaries (danfojs), CSV export
export * from './experiments/dataFrames';
export * from './experiments/datasetSummary';
export * from './experiments/resultsTable';
export * from './experiments/seeds';
export * from './experiments/tableExport';

// Measurements used by the notebooks
export * from './analysis/gradientFlow';

// Audio: WAV files, STFT, mel and Kaldi filterbank features, frame stacking, normalisation, Griffin-Lim, descriptors
export * from './audio/attack';
export * from './audio/fbank';
export * from './audio/fft';
export * from './audio/frame';
export * from './audio/griffinLim';
export * from './audio/logMel';
export * from './audio/loudness';
export * from './audio/matrix';
export * from './audio/mel';
export * from './audio/melInverse';
export * from './audio/normalizeUtterance';
export * from './audio/noteDescriptors';
export * from './audio/pitch';
export * from './audio/spectralShape';
export * from './audio/stackFrames';
export * from './audio/stft';
export * from './audio/wav';
export * from './audio/window';

// Shipped datasets
export * from './data/captions';
export * from './data/cropDataset';
export * from './data/datasetError';
export * from './data/datasetFiles';
export * from './data/fashionMultiHot';
export * from './data/fashionScenes';
export * from './data/fashionTints';
export * from './data/idx';
export * from './data/render';
export * from './data/sceneSummary';
export * from './data/fluidNotes';

// Speech corpora (speech-single, speech-speakers): text normalisation, alphabets, loaders
export * from './data/speechCorpus';
export * from './data/speechSingle';
export * from './data/speechSpeakers';
export * from './data/speechText';

// CTC decoding
export * from './decode/ctcGreedy';
export * from './decode/ctcPrefixBeamSearch';

// Models and tasks
export * from './models/addingProblem';
export * from './models/backbone';
export * from './models/captionTrainer';
export * from './models/captioningRnn';
export * from './models/captionAnalysis';
export * from './models/captionEvaluation';
export * from './models/captionGradientCheck';
export * from './models/exposureBias';
export * from './models/checkpoint';
export * from './models/featureExtractor';
export * from './models/keyValueRetrieval';
export * from './models/multilabelHeads';
export * from './models/multilabelSigmoid';
export * from './models/multilabelTraining';
export * from './models/multilabelComparison';
export * from './models/multilabelTables';
export * from './models/costRatio';
export * from './models/odetolaPaper';
export * from './models/listener';
export * from './models/listenerCheckpoint';
export * from './models/shippedWeights';
export * from './models/listenerFeatures';
export * from './models/speechRecognizer';
export * from './models/speechRecognizerTraining';
export * from './models/noteVae';
export * from './models/latentFlow';
export * from './models/gestureSound';

// Metrics and model profiling
export * from './metrics/bleu';
export * from './metrics/classification';
export * from './metrics/editDistance';
export * from './metrics/rankCorrelation';
export * from './profile';

// Notebook display: figures, tables, progress
export * from './display/attentionOverlay';
export * from './display/audio';
export * from './display/audioCharts';
export * from './display/charts';
export * from './display/figurePage';
export * from './display/kernel';
export * from './display/progress';
export * from './display/show';
export * from './display/table';

// Multimodal emotion (notebook 08, issue 11): the tri-modal corpus, the cross-modal transformer with
// its ASR/speaker pre-training and emotion heads, the late-fusion BiGRU baseline, training and evaluation
export * from './data/multimodalEmotion';
export * from './models/multimodal/batch';
export * from './models/multimodal/crossModalEncoder';
export * from './models/multimodal/heads';
export * from './models/multimodal/asrDecoder';
export * from './models/multimodal/multimodalTransformer';
export * from './models/multimodal/multimodalCheckpoint';
export * from './models/multimodal/multimodalTraining';
export * from './models/multimodal/lateFusionGru';
export * from './models/multimodal/multimodalExperiments';
export * from './models/multimodal/multimodalPretraining';
// Tacotron 2 teacher–student distillation (notebook 06): the model, its training modes,
// free-running synthesis, the robustness counters and the shipped checkpoints
export * from './display/sideBySide';
export * from './models/tacotron2/config';
export * from './models/tacotron2/attentionGradient';
export * from './models/tacotron2/encoder';
export * from './models/tacotron2/decoder';
export * from './models/tacotron2/postnet';
export * from './models/tacotron2/losses';
export * from './models/tacotron2/batch';
export * from './models/tacotron2/data';
export * from './models/tacotron2/training';
export * from './models/tacotron2/synthesize';
export * from './models/tacotron2/robustness';
export * from './models/tacotron2/checkpoint';
export * from './models/tacotron2/students';
export * from './models/tacotron2/evaluation';
