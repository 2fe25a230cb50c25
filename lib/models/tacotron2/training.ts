/**
 * Training a Tacotron 2 in one of the four modes of Liu et al., through the library's one
 * training loop (lib/train/trainLoop.ts: clipping, NaN guard, Adam, progress):
 *
 *   'teacher-forcing'     Loss_f, decoder fed the natural frames                      (the teacher, Eq. 1)
 *   'scheduled-sampling'  Loss_f, fed its own frame with probability ε(step)            (Tacotron2-SS)
 *   'free-running'        Loss_f, fed its own frames                                   (Tacotron2-FR)
 *   'distillation'        Loss_f + λ·Loss_d, fed its own frames; Loss_d against the frozen
 *                         teacher's decoder states s_t on the same batch, with the same pre-net
 *                         dropout masks when the student's encoder is frozen      (Tacotron2-KD, Eq. 2–8)
 *
 * What the teacher reads when it makes s_t is not settled by the paper: its text says the teacher
 * "has been trained under the teacher forcing mode" and that the student "processes the same
 * input sequence", and its Eq. 4 feeds the teacher ŷ_{t−1}, the predicted frame. `distillationTarget`
 * chooses: 'natural' (default) runs the teacher teacher-forced on the natural frames;
 * 'student-frames' runs it on the frames the student just predicted (Eq. 4 as printed), so at the
 * first step, when the student is a copy of the teacher, Loss_d is exactly 0.
 *
 * Every mode adds the same guided-attention term. Every gradient is hand-written (./backprop.ts);
 * `backward: 'autodiff'` runs the reference step of ./autodiffReference.ts instead (tfjs autodiff,
 * the attention by hand unless `attentionGradient: 'autodiff'`).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import type { Schedule } from '../../optim/schedules';
import { lengthBucketedBatches } from '../../train/lengthBuckets';
import { type ResumableState, trainLoop } from '../../train/trainLoop';
import { stepRng } from '../../train/trainingState';
import type { AttentionGradient } from './attentionGradient';
import { Tacotron2, TacotronParamGroup, tacotronParamGroup } from './config';
import { tacotronAutodiffBackprop } from './autodiffReference';
import { TacotronLossParts, tacotronBackprop } from './backprop';
import { DecoderFeed, decoderContext, runDecoder } from './decoder';
import { encoderForward } from './encoder';
import { TacotronBatch, TextMel, disposeTacotronBatch, makeTacotronBatch } from './batch';

export type TacotronBackward = 'hand' | 'autodiff';

export type DistillationTarget = 'natural' | 'student-frames';
export const DISTILLATION_TARGETS: readonly DistillationTarget[] = ['natural', 'student-frames'];

export type TacotronMode = 'teacher-forcing' | 'scheduled-sampling' | 'free-running' | 'distillation';
export const TACOTRON_MODES: readonly TacotronMode[] = [
  'teacher-forcing',
  'scheduled-sampling',
  'free-running',
  'distillation',
];

export interface TacotronTrainOptions {
  mode: TacotronMode;
  steps: number;
  batchSize: number;
  seed: number;
  lr: number | Schedule;
  clipNorm?: number;
  /** Distillation weight λ (mode 'distillation'; default 1). */
  lambda?: number;
  /** The frozen teacher (mode 'distillation'). */
  teacher?: Tacotron2;
  /** What the teacher reads to make its states (mode 'distillation'; default 'natural'): see above. */
  distillationTarget?: DistillationTarget;
  /** ε(step): probability of feeding the decoder's own frame (mode 'scheduled-sampling'). */
  ownFrameProbability?: Schedule;
  /** Parameter groups left unchanged (their batch norm runs on running statistics). */
  freeze?: readonly TacotronParamGroup[];
  /** Weight of the guided-attention term (default 1) and of the L2 penalty (default 1e-6). */
  guidedAttention?: number;
  l2?: number;
  /** 'hand' (default): ./backprop.ts; 'autodiff': the reference step of ./autodiffReference.ts. */
  backward?: TacotronBackward;
  /** With backward 'autodiff': the attention's gradient by hand (default) or by autodiff too. */
  attentionGradient?: AttentionGradient;
  label?: string;
  progress?: boolean;
  /** After each update: the step's parts (Loss_f, Loss_d (0 unless distilling), guide, total). */
  onStep?: (step: number, parts: TacotronLossParts) => void;
  /** Resumable training (lib/train/trainLoop.ts): the run's state is saved to and restored from `state.dir`. */
  state?: ResumableState;
  /** Stop after the step that crosses this many seconds, or when shouldStop() says so. */
  maxSeconds?: number;
  shouldStop?: () => boolean;
}

export type { TacotronLossParts };

export interface TacotronTrainResult {
  /** The loss parts of every step this call ran (after `resumedAt`). */
  history: TacotronLossParts[];
  /** The step a resumed run continued from (0 for a fresh run). */
  resumedAt: number;
  seconds: number;
  /** Decoder steps (batch-steps × S) trained per second of wall time. */
  decoderStepsPerSecond: number;
}

/**
 * The teacher's decoder states s_t [N, S, H] on `batch`, teacher-forced, inference-mode encoder, dropout from `rng`.
 */
export function teacherDecoderStates(
  teacher: Tacotron2,
  batch: TacotronBatch,
  rng: Rng,
  gradient: AttentionGradient = 'hand',
): tf.Tensor {
  return tf.tidy(() => {
    const memory = encoderForward(teacher, batch.ids, batch.textMask, { training: false });
    return runDecoder(decoderContext(teacher, memory, batch.textMask, gradient), {
      steps: batch.steps,
      feed: { kind: 'teacher' },
      targets: batch.mel,
      rng,
    }).states;
  });
}

/**
 * The run's resumable state plus the batch-norm running statistics (state that is not a trained
 * parameter, so the loop's saved parameters do not carry it): saved in the record, restored first.
 */
function withBatchNormStatistics(model: Tacotron2, state: ResumableState): ResumableState {
  return {
    ...state,
    record: () => ({
      trainer: state.record?.() ?? null,
      bnStats: Object.fromEntries(Object.entries(model.bnStats).map(([k, v]) => [k, Array.from(v.dataSync())])),
    }),
    restore: (saved) => {
      const { trainer, bnStats } = saved as { trainer: unknown; bnStats: Record<string, number[]> };
      for (const [k, v] of Object.entries(model.bnStats)) {
        checkArgs('trainTacotron').require(
          bnStats?.[k]?.length === v.size,
          `the saved state in ${state.dir} has no batch-norm statistics '${k}' of ${v.size} values`,
        );
        v.assign(tf.tensor(bnStats[k], v.shape));
      }
      state.restore?.(trainer);
    },
  };
}

function feedFor(mode: TacotronMode, step: number, opts: TacotronTrainOptions): DecoderFeed {
  if (mode === 'teacher-forcing') return { kind: 'teacher' };
  if (mode === 'scheduled-sampling') return { kind: 'sampled', ownProbability: opts.ownFrameProbability!(step) };
  return { kind: 'free' };
}

/**
 * Trains `model` in place on `data` (texts with log-mels) for `opts.steps` batches.
 */
export function trainTacotron(
  model: Tacotron2,
  data: readonly TextMel[],
  opts: TacotronTrainOptions,
): TacotronTrainResult {
  const c = checkArgs('trainTacotron')
    .require(
      TACOTRON_MODES.includes(opts?.mode),
      `argument 'opts.mode' expected one of ${TACOTRON_MODES.join(', ')} but got ${String(opts?.mode)}`,
    )
    .number('opts.batchSize', opts.batchSize, { integer: true, min: 1 })
    .number('opts.seed', opts.seed, { integer: true })
    .require(Array.isArray(data) && data.length > 0, "argument 'data' expected a non-empty array of { text, mel }");
  if (opts.mode === 'distillation')
    c.require(
      opts.teacher !== undefined && opts.teacher.config.decoderLstm === model.config.decoderLstm,
      "argument 'opts.teacher' expected the teacher Tacotron2 (same decoder width) for mode 'distillation'",
    );
  if (opts.distillationTarget !== undefined)
    c.require(
      DISTILLATION_TARGETS.includes(opts.distillationTarget),
      `argument 'opts.distillationTarget' expected one of ${DISTILLATION_TARGETS.join(', ')} ` +
        `but got ${String(opts.distillationTarget)}`,
    );
  if (opts.mode === 'scheduled-sampling')
    c.require(
      typeof opts.ownFrameProbability === 'function',
      "argument 'opts.ownFrameProbability' expected a schedule ε(step) for mode 'scheduled-sampling'",
    );
  const frozen = new Set(opts.freeze ?? []);
  const names = Object.keys(model.params).filter((n) => !frozen.has(tacotronParamGroup(n)));
  const trainable = Object.fromEntries(names.map((n) => [n, model.params[n]]));
  // Batches, dropout masks and sampling draws are functions of (seed, step): a resumed run repeats them.
  const batches = lengthBucketedBatches(
    data.map((d) => d.mel.rows),
    opts.batchSize,
    opts.seed,
  );
  const lambda = opts.mode === 'distillation' ? (opts.lambda ?? 1) : 0;
  const history: TacotronLossParts[] = [];
  let decoderSteps = 0;
  const t0 = Date.now();
  const { resumedAt } = trainLoop(
    'trainTacotron',
    trainable,
    {
      steps: opts.steps,
      lr: opts.lr,
      clipNorm: opts.clipNorm ?? 1,
      label: opts.label ?? `tacotron ${opts.mode}`,
      progress: opts.progress,
      onStep: (step) => opts.onStep?.(step, history[history.length - 1]),
      state: opts.state && withBatchNormStatistics(model, opts.state),
      maxSeconds: opts.maxSeconds,
      shouldStop: opts.shouldStop,
    },
    (step) => {
      const batch = makeTacotronBatch(
        batches.batchAt(step - 1).map((i) => data[i]),
        model,
      );
      const dropoutSeed = stepRng(opts.seed + 1, step).int(2 ** 31);
      const distilling = lambda > 0 || opts.mode === 'distillation';
      const teacherStates = !distilling
        ? undefined
        : opts.distillationTarget === 'student-frames'
          ? (mel: tf.Tensor) =>
              teacherDecoderStates(opts.teacher!, { ...batch, mel }, new Rng(dropoutSeed), opts.attentionGradient)
          : teacherDecoderStates(opts.teacher!, batch, new Rng(dropoutSeed), opts.attentionGradient);
      try {
        const backprop = opts.backward === 'autodiff' ? tacotronAutodiffBackprop : tacotronBackprop;
        const { parts, grads } = backprop(model, batch, feedFor(opts.mode, step, opts), {
          rng: new Rng(dropoutSeed),
          trainable: names,
          encoderTraining: !frozen.has('encoder'),
          guide: opts.guidedAttention ?? 1,
          l2: opts.l2 ?? 1e-6,
          lambda,
          teacherStates,
          attentionGradient: opts.attentionGradient ?? 'hand',
        });
        decoderSteps += batch.steps;
        history.push(parts);
        return { loss: parts.total, grads };
      } finally {
        disposeTacotronBatch(batch);
        if (teacherStates instanceof tf.Tensor) teacherStates.dispose();
      }
    },
  );
  const seconds = (Date.now() - t0) / 1000;
  return { history, resumedAt, seconds, decoderStepsPerSecond: decoderSteps / seconds };
}
