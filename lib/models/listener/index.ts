/**
 * The listener (notebook 05, `bp.listener`): a conv + BiLSTM CTC speech recognizer with
 * hand-written backwards, its features, training, shipped checkpoint and transcription. Notebook 06
 * uses it to hear what the Tacotron models say.
 *
 * Public names drop the topic prefix that the declarations carry (`initTacotron2` is
 * `bp.tacotron.init`): inside `lib/` the long names keep imports unambiguous.
 */
export {
  listenerDir as checkpointDir,
  saveListener as save,
  loadListener as load,
  ListenerManifest,
} from './checkpoint';
export {
  logMelToLfbe,
  listenerFeaturesFromLfbe as featuresFromLfbe,
  listenerFeaturesFromLogMel as featuresFromLogMel,
  LogMelConfig,
  LISTENER_FEATURES as FEATURES,
} from './features';
export {
  recognizerDefaults as configDefaults,
  recognizerOutputLength as outputLength,
  initSpeechRecognizer as init,
  speechRecognizerForward as forward,
  speechRecognizerBackward as backward,
  SpeechRecognizerConfig,
  SpeechRecognizerParams,
  SpeechRecognizerCache,
} from './recognizer';
export {
  speechBatch as makeBatch,
  recognizerLossAndGrads as lossAndGrads,
  recognizerShardGradients as shardGradients,
  trainSpeechRecognizer as train,
  recognize,
  recognizeEach,
  greedyDecoder,
  CtcDecoder,
  SpeechUtterance,
  RecognizerStep,
  TrainRecognizerOptions,
} from './training';
export * from './latticeRoom';
export * from './transcribe';
