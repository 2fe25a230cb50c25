/**
 * Cross-modal transformer with multi-task pre-training, Khare et al. (notebook 08,
 * `bp.multimodal`): the MulT-style encoder, the ASR decoder and heads, pre-training and fine-tuning,
 * the late-fusion BiGRU baseline, checkpoints and the experiment tables.
 *
 * Public names drop the topic prefix that the declarations carry (`initTacotron2` is
 * `bp.tacotron.init`): inside `lib/` the long names keep imports unambiguous.
 */
export * from './kharePaper';
export * from './asrDecoder';
export {
  buildMultimodalVocab as buildVocab,
  multimodalAudioStats as audioStats,
  makeMultimodalBatch as makeBatch,
  disposeMultimodalBatch as disposeBatch,
  MultimodalVocab,
  MULTIMODAL_CHARS as CHARS,
  MultimodalAudioStats,
  MultimodalBatch,
} from './batch';
export {
  saveMultimodalCheckpoint as saveCheckpoint,
  loadMultimodalCheckpoint as loadCheckpoint,
  checkpointContext,
  MultimodalCheckpointManifest,
} from './checkpoint';
export * from './crossModalEncoder';
export {
  runEmotionSeed,
  selectOnDev,
  labelledSubset,
  emotionInterval,
  compareEmotionModels,
  compareEmotionGains,
  emotionTable,
  ablationTable,
  modalityCueRates,
  ABLATION_CONDITIONS,
  EmotionData,
  EmotionModel,
  EmotionRun,
} from './experiments';
export * from './heads';
export * from './lateFusionGru';
export {
  runPretraining,
  disposeMultimodalModel as disposeModel,
  PRETRAIN_VARIANTS,
  PretrainRecord,
} from './pretraining';
export {
  utteranceLengthBuckets,
  trainPretrain,
  trainEmotionTransformer,
  trainLateFusion,
  emotionPositiveWeights,
  inMultimodalBatches as inBatches,
  evaluatePretrain,
  emotionScores,
  emotionTargets,
  flattenEmotionScores,
  MultimodalContext,
  MultimodalTrainOptions,
  PretrainHistory,
  EmotionScores,
  EmotionMetric,
  EMOTION_METRICS,
  averageEmotionMetric,
} from './training';
export {
  initPretrainModel,
  initEmotionModel,
  pretrainLoss,
  emotionLoss,
  emotionProbabilities,
  PretrainTasks,
  PAPER_PRETRAIN_TASKS,
  PretrainStep,
  MULTIMODAL_PRETRAIN_CONFIG as PRETRAIN_CONFIG,
} from './transformer';
