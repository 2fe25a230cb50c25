/**
 * One multi-task pre-training run (shared by `npm run train -- multimodal-<tasks>` and notebook
 * 08's quick mode, so both go through the same code): a fresh encoder + ASR decoder + speaker
 * head, trained on `train` by {@link trainPretrain}, scored on `heldOut` by {@link evaluatePretrain}.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import type { MultimodalUtterance } from '../../data/multimodalEmotion';
import { CrossModalEncoderConfig, MultimodalParams, PRETRAIN_WEIGHTS } from './crossModalEncoder';
import { initPretrainModel, PAPER_PRETRAIN_TASKS, PretrainTasks } from './transformer';
import { evaluatePretrain, MultimodalContext, trainPretrain } from './training';

/** The three pre-trainings of notebook 08 by checkpoint name: the paper's 0.8/0.2 and each task alone. */
export const PRETRAIN_VARIANTS: Record<string, PretrainTasks> = {
  'multimodal-asr-speaker': PAPER_PRETRAIN_TASKS,
  'multimodal-asr': { asr: 1, speaker: 0 },
  'multimodal-speaker': { asr: 0, speaker: 1 },
};

/** What a pre-training run records (stored as a checkpoint's `training`). */
export interface PretrainRecord {
  tasks: PretrainTasks;
  jointWeights: typeof PRETRAIN_WEIGHTS;
  steps: number;
  batchSize: number;
  seed: number;
  schedule: string;
  trainUtterances: number;
  heldOutUtterances: number;
  minutes: number;
  heldOut: { cer: number; speakerAccuracy: number; examples: { ref: string; hyp: string }[] };
  curves: { loss: number[]; asr: number[]; speaker: number[] };
}

export function runPretraining(opts: {
  tasks: PretrainTasks;
  train: readonly MultimodalUtterance[];
  heldOut: readonly MultimodalUtterance[];
  ctx: MultimodalContext;
  cfg: CrossModalEncoderConfig;
  speakers: number;
  steps: number;
  seed: number;
  label?: string;
  progress?: boolean;
  /** Resumable: see MultimodalTrainOptions (state, maxSeconds, shouldStop). */
  state?: { dir: string; everyMinutes?: number };
  maxSeconds?: number;
  shouldStop?: () => boolean;
}): { params: MultimodalParams; record: PretrainRecord; finished: boolean } {
  const { cfg, ctx, tasks } = opts;
  const params = initPretrainModel(cfg, { chars: ctx.vocab.chars.length, speakers: opts.speakers }, new Rng(opts.seed));
  const train = {
    steps: opts.steps,
    batchSize: 16,
    seed: opts.seed,
    warmup: Math.max(1, Math.round(opts.steps / 10)),
    peakLr: 1.5e-3,
    label: opts.label,
    progress: opts.progress,
    state: opts.state,
    maxSeconds: opts.maxSeconds,
    shouldStop: opts.shouldStop,
  };
  const history = trainPretrain(params, opts.train, ctx, cfg, { ...train, tasks, weights: PRETRAIN_WEIGHTS });
  const heldOut = evaluatePretrain(params, opts.heldOut, ctx, cfg, PRETRAIN_WEIGHTS, tasks);
  const round = (xs: number[]): number[] => xs.map((x) => Number(x.toFixed(4)));
  return {
    params,
    finished: history.finished,
    record: {
      tasks,
      jointWeights: PRETRAIN_WEIGHTS,
      steps: opts.steps,
      batchSize: train.batchSize,
      seed: opts.seed,
      schedule: `Noam, warmup ${train.warmup}, peak lr ${train.peakLr}, clip norm 1`,
      trainUtterances: opts.train.length,
      heldOutUtterances: opts.heldOut.length,
      minutes: Number((history.seconds / 60).toFixed(2)),
      heldOut,
      curves: { loss: round(history.losses), asr: round(history.asrLosses), speaker: round(history.speakerLosses) },
    },
  };
}

/** Frees a model's variables. */
export function disposeMultimodalModel(params: MultimodalParams): void {
  tf.dispose(Object.values(params));
}
