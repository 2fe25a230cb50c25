/**
 * Tacotron 2 teacher–student distillation, Liu et al. (notebook 06, `bp.tacotron`): the model
 * (encoder, location-sensitive attention decoder, post-net), its training modes, free-running
 * synthesis, the shipped teacher and the robustness counters.
 *
 * Public names drop the topic prefix that the declarations carry (`initTacotron2` is
 * `bp.tacotron.init`): inside `lib/` the long names keep imports unambiguous.
 */
export * from './attentionGradient';
export {
  makeTacotronBatch as makeBatch,
  disposeTacotronBatch as disposeBatch,
  tacotronInputIds as inputIds,
  tacotronInputSymbols as inputSymbols,
  TacotronInput,
  TextMel,
  TacotronBatch,
} from './batch';
export * from './cells';
export {
  tacotronCheckpointDir as checkpointDir,
  saveTacotron as save,
  loadTacotron as load,
  TacotronManifest,
} from './checkpoint';
export {
  tacotronParamGroup as paramGroup,
  initTacotron2 as init,
  cloneTacotron2 as clone,
  disposeTacotron2 as dispose,
  tacotronParameterCount as parameterCount,
  Tacotron2Config,
  TACOTRON_CONFIG as CONFIG,
  TacotronParams,
  TacotronBatchNormStats,
  Tacotron2,
  TacotronParamGroup,
} from './config';
export { tacotronPairs as pairs, melNormOf } from './data';
export * from './decoder';
export * from './encoder';
export * from './evaluation';
export * from './losses';
export * from './postnet';
export * from './robustness';
export * from './liuPaper';
export * from './students';
export {
  saveTacotronStudent as saveStudent,
  loadTacotronStudent as loadStudent,
  studentCheckpointName,
  STUDENT_GROUPS,
  StudentManifest,
} from './studentCheckpoint';
export * from './synthesize';
export {
  teacherDecoderStates,
  trainTacotron as train,
  TacotronMode,
  TACOTRON_MODES as MODES,
  TacotronTrainOptions,
  TacotronLossParts,
  TacotronTrainResult,
} from './training';
export * from './intelligibility';
export * from './teacherRecord';
export { loadTacotronBench as loadBench, type TacotronBenchRecord, type TacotronBenchRow } from './benchRecord';
