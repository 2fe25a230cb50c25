/**
 * The two uses of the cross-modal encoder (./crossModalEncoder.ts), each a loss with every
 * gradient by hand:
 *
 * - multi-task pre-training (VoxCeleb2's role): L = λ_ASR·L_ASR + λ_spk·L_spk with λ = (0.8, 0.2)
 *   as in the paper (or one task alone: λ = (1, 0) / (0, 1)), joint weights α = (0.4, 0.4, 0.2).
 *   The two heads' gradients for the joint output add: djoint = λ_ASR·djoint_ASR + λ_spk·djoint_spk.
 * - emotion recognition (MOSEI's role): six sigmoid outputs on the mean-pooled joint output,
 *   weighted BCE, equal joint weights α = (⅓, ⅓, ⅓); initialised from a pre-trained encoder
 *   (fine-tuned, not frozen) or from scratch.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randn } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { asrDecoderLoss, initAsrDecoder } from './asrDecoder';
import type { MultimodalBatch } from './batch';
import {
  crossModalEncoderBackward,
  crossModalEncoderForward,
  disposeEncoderCache,
  CrossModalEncoderConfig,
  initEncoder,
  ModalityWeights,
  MultimodalParams,
  ownedVariable,
} from './crossModalEncoder';
import { emotionHeadLoss, emotionLogits, speakerHeadLoss } from './heads';

export interface PretrainTasks {
  asr: number;
  speaker: number;
}
export const PAPER_PRETRAIN_TASKS: PretrainTasks = { asr: 0.8, speaker: 0.2 };

function affineParams(name: string, D: number, M: number, rng: Rng): MultimodalParams {
  return {
    [`${name}.W`]: ownedVariable(randn([D, M], rng, Math.sqrt(2 / (D + M)))),
    [`${name}.b`]: ownedVariable(tf.zeros([M])),
  };
}

/** Encoder + character decoder + speaker head. */
export function initPretrainModel(
  cfg: CrossModalEncoderConfig,
  sizes: { chars: number; speakers: number },
  rng: Rng,
): MultimodalParams {
  checkArgs('initPretrainModel')
    .number('chars', sizes?.chars, { integer: true, min: 2 })
    .number('speakers', sizes.speakers, { integer: true, min: 2 });
  return {
    ...initEncoder(cfg, rng),
    ...initAsrDecoder(cfg, sizes.chars, rng),
    ...affineParams('speaker', cfg.E, sizes.speakers, rng),
  };
}

/**
 * Encoder + emotion head. With `from` (a pre-trained model), every encoder parameter starts as a
 * copy of the pre-trained one; the head is new.
 */
export function initEmotionModel(cfg: CrossModalEncoderConfig, rng: Rng, from?: MultimodalParams): MultimodalParams {
  const enc = initEncoder(cfg, rng);
  if (from) {
    for (const [k, v] of Object.entries(enc)) {
      checkArgs('initEmotionModel').require(
        from[k] !== undefined && from[k].shape.join() === v.shape.join(),
        `pre-trained model lacks '${k}' of shape [${v.shape}]`,
      );
      v.assign(from[k]);
    }
  }
  return { ...enc, ...affineParams('emotion', cfg.E, 6, rng) };
}

export interface PretrainStep {
  loss: number;
  asrLoss: number;
  speakerLoss: number;
  grads: Record<string, tf.Tensor>;
}

function scaled(grads: Record<string, tf.Tensor>, s: number): Record<string, tf.Tensor> {
  const out = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, s)]));
  tf.dispose(Object.values(grads));
  return out;
}

/** One pre-training loss and its gradients (a task with weight 0 is not computed). */
export function pretrainLoss(
  p: MultimodalParams,
  batch: MultimodalBatch,
  cfg: CrossModalEncoderConfig,
  opts: { tasks: PretrainTasks; weights: ModalityWeights; rng: Rng },
): PretrainStep {
  const { tasks } = opts;
  checkArgs('pretrainLoss')
    .number('tasks.asr', tasks?.asr, { min: 0 })
    .number('tasks.speaker', tasks.speaker, { min: 0 })
    .require(tasks.asr + tasks.speaker > 0, 'at least one task needs a positive weight');
  const enc = crossModalEncoderForward(p, batch, { cfg, weights: opts.weights, training: true, rng: opts.rng });
  tf.dispose([enc.textAttention, enc.visualAttention].filter((t) => t !== null) as tf.Tensor[]);
  const parts: tf.Tensor[] = [];
  let grads: Record<string, tf.Tensor> = {};
  let asrLoss = 0,
    speakerLoss = 0;
  if (tasks.asr > 0) {
    const r = asrDecoderLoss(p, enc.joint, batch, cfg, { training: true, rng: opts.rng });
    asrLoss = r.loss;
    parts.push(tf.mul(r.djoint, tasks.asr));
    r.djoint.dispose();
    grads = { ...grads, ...scaled(r.grads, tasks.asr) };
  }
  if (tasks.speaker > 0) {
    const r = speakerHeadLoss(p, enc.joint, batch.frameValid, batch.speakers);
    speakerLoss = r.loss;
    parts.push(tf.mul(r.djoint, tasks.speaker));
    r.djoint.dispose();
    grads = { ...grads, ...scaled(r.grads, tasks.speaker) };
  }
  const djoint = parts.length === 1 ? parts[0] : tf.addN(parts);
  if (parts.length > 1) tf.dispose(parts);
  enc.joint.dispose();
  const encGrads = crossModalEncoderBackward(djoint, enc.cache);
  djoint.dispose();
  return {
    loss: tasks.asr * asrLoss + tasks.speaker * speakerLoss,
    asrLoss,
    speakerLoss,
    grads: { ...grads, ...encGrads },
  };
}

/** One emotion loss (weighted BCE) and its gradients. */
export function emotionLoss(
  p: MultimodalParams,
  batch: MultimodalBatch,
  cfg: CrossModalEncoderConfig,
  opts: { weights: ModalityWeights; posWeight: number[]; rng: Rng },
): { loss: number; grads: Record<string, tf.Tensor> } {
  checkArgs('emotionLoss').require(batch?.labels !== null, 'the batch needs emotion labels (a labelled split)');
  const enc = crossModalEncoderForward(p, batch, { cfg, weights: opts.weights, training: true, rng: opts.rng });
  tf.dispose([enc.textAttention, enc.visualAttention].filter((t) => t !== null) as tf.Tensor[]);
  const r = emotionHeadLoss(p, enc.joint, batch.frameValid, batch.labels!, opts.posWeight);
  enc.joint.dispose();
  const encGrads = crossModalEncoderBackward(r.djoint, enc.cache);
  r.djoint.dispose();
  return { loss: r.loss, grads: { ...r.grads, ...encGrads } };
}

/** Emotion probabilities [N][6] at inference (dropout off), with the given joint weights. */
export function emotionProbabilities(
  p: MultimodalParams,
  batch: MultimodalBatch,
  cfg: CrossModalEncoderConfig,
  weights: ModalityWeights,
): number[][] {
  const enc = crossModalEncoderForward(p, batch, { cfg, weights, training: false });
  const probs = tf.tidy(() => tf.sigmoid(emotionLogits(p, enc.joint, batch.frameValid)));
  tf.dispose([enc.joint, enc.textAttention, enc.visualAttention].filter((t) => t !== null) as tf.Tensor[]);
  disposeEncoderCache(enc.cache);
  const rows = probs.arraySync() as number[][];
  probs.dispose();
  return rows;
}

/** The laptop-scale encoder of notebook 08 (the word vocabulary size is added from the corpus). */
export const MULTIMODAL_PRETRAIN_CONFIG: Omit<CrossModalEncoderConfig, 'words'> = {
  E: 64,
  heads: 4,
  F: 128,
  layers: 1,
  dropout: 0.1,
  audioDim: 200,
  visualDim: 32,
};
