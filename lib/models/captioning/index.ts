/**
 * Image captioning, EECS 498 A4 / CS231n (notebook 04, `bp.captioning`): the feature CNN, the
 * RNN / LSTM / attention-LSTM decoder with hand-written backwards, its trainer and gradient check,
 * caption scoring against the scene, and exposure bias.
 *
 * Public names drop the topic prefix that the declarations carry (`initTacotron2` is
 * `bp.tacotron.init`): inside `lib/` the long names keep imports unambiguous.
 */
export {
  parseCaption,
  scoreCaption,
  captionAccuracy as accuracy,
  attentionOnCell,
  attentionOnNamedCells,
  CaptionMention,
  SpatialClaim,
  ParsedCaption,
  SceneVocabulary,
  CaptionScore,
  CaptionAccuracy,
  NamedCellAttention,
} from './analysis';
export {
  disposeDecoderState,
  CAPTION_CELL_TYPES,
  CaptionCellType,
  CaptioningRnnOptions,
  CaptionSample,
  DecoderState,
  CaptioningRNN,
} from './captioningRnn';
export * from './checkpoint';
export { evaluateCaptioner as evaluate, CaptionEvalSet, CaptionEvaluation } from './evaluation';
export * from './exposureBias';
export * from './featureExtractor';
export * from './featureScaling';
export * from './cnnCheckpoint';
export * from './decoderCheckpoint';
export * from './oracle';
export { checkCaptioningGradients as checkGradients, CaptionGradientCheckOptions } from './gradientCheck';
export {
  captionLoss as loss,
  trainCaptioner as train,
  CaptionData,
  CaptionTrainOptions,
  CaptionHistory,
} from './trainer';
