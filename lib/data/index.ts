/**
 * The shipped datasets and checkpoints (`bp.data`): loaders that verify every file against its
 * sha256 manifest (Fashion-MNIST scenes, tints and multi-hot crops, the speech corpora and their
 * text normalisation, FluidSynth notes, the multimodal emotion corpus), caption vocabularies, and
 * the one format of the shipped weights.
 */
export * from './captions';
export * from './cropDataset';
export * from './datasetError';
export * from './datasetFiles';
export * from './fashionMultiHot';
export * from './fashionScenes';
export * from './sceneGrammar';
export * from './sceneRecomposition';
export * from './fashionTints';
export * from './fluidNotes';
export * from './idx';
export * from './multimodalEmotion';
export * from './render';
export * from './sceneSummary';
export * from './shippedWeights';
export * from './speechCorpus';
export * from './speechSingle';
export * from './speechSpeakers';
export * from './speechText';
