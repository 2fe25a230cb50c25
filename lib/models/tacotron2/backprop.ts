/**
 * One Tacotron 2 training step's loss and gradients, every gradient by hand:
 *
 *   forward   encoder (./encoderBackprop.ts) → decoder (./decoderBackprop.ts) → post-net (./postnetBackprop.ts)
 *   loss      Loss_f = MSE(ŷ, y) + MSE(ŷ_post, y) + BCE(stop) + w_L2 Σ‖W‖²,  total = Loss_f + g·Loss_guide + λ·Loss_d
 *   backward  dŷ_post → post-net backward → dŷ (+ MSE(ŷ)'s own) → decoder backward through time
 *             (with dstop, g·dLoss_guide/dα and λ·dLoss_d/dŝ) → dmemory → encoder backward
 *
 * The same backward serves teacher forcing, free running, scheduled sampling and distillation:
 * only the frames the decoder reads differ (fed-back frames are constants, ./decoderBackprop.ts).
 * A frozen encoder runs on its running statistics without dropout and gets no backward.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import type { TacotronBatch } from './batch';
import type { Tacotron2 } from './config';
import type { DecoderFeed } from './decoder';
import { tacotronDecoderBackward, tacotronDecoderForward } from './decoderBackprop';
import { encoderForward } from './encoder';
import { tacotronEncoderBackward, tacotronEncoderForward } from './encoderBackprop';
import {
  distillationWithGradient,
  guidedAttentionWithGradient,
  maskedMseWithGradient,
  stopTokenBceWithGradient,
  weightDecayWithGradient,
} from './lossGradients';
import { guidedAttentionWeights } from './losses';
import { tacotronPostnetBackward, tacotronPostnetForward } from './postnetBackprop';

/** The teacher's states [N, S, H] given the frames the student predicted [N, S·r, M]. */
export type TeacherStatesOf = (studentMel: tf.Tensor) => tf.Tensor;

export type TacotronLossParts = { lossF: number; lossD: number; guide: number; total: number };

export type TacotronBackpropOptions = {
  /** Dropout masks (encoder, then the pre-net step by step) and scheduled-sampling draws. */
  rng: Rng;
  /** The parameters that get gradients (the others are frozen). */
  trainable: readonly string[];
  /** False when the encoder is frozen: running statistics, no dropout, no backward. */
  encoderTraining: boolean;
  /** Weight g of Loss_guide, of the L2 penalty, and λ of Loss_d. */
  guide: number;
  l2: number;
  lambda: number;
  /**
   * The teacher's decoder states [N, S, H] (distillation), or undefined; or a function of the
   * student's predicted mel [N, S·r, M] that returns them (the teacher reading the student's own
   * frames, Eq. 4 as printed), called after the decoder's forward; its result is a constant.
   */
  teacherStates?: tf.Tensor | TeacherStatesOf;
};

/**
 * @returns the loss parts (numbers) and the gradient of each trainable parameter, by name
 */
export function tacotronBackprop(
  model: Tacotron2,
  batch: TacotronBatch,
  feed: DecoderFeed,
  opts: TacotronBackpropOptions,
): { parts: TacotronLossParts; grads: Record<string, tf.Tensor> } {
  const c = checkArgs('tacotronBackprop')
    .require(opts?.rng instanceof Rng, "argument 'opts.rng' expected an Rng")
    .require(
      Array.isArray(opts.trainable) && opts.trainable.every((n) => model.params[n] !== undefined),
      "argument 'opts.trainable' expected names of the model's parameters",
    )
    .number('opts.guide', opts.guide, { min: 0 })
    .number('opts.l2', opts.l2, { min: 0 })
    .number('opts.lambda', opts.lambda, { min: 0 });
  const statesShape = [...batch.stepMask.shape, 'H'];
  if (opts.teacherStates instanceof tf.Tensor)
    c.tensor('opts.teacherStates', opts.teacherStates, statesShape, 'float32');
  else
    c.require(
      opts.teacherStates === undefined || typeof opts.teacherStates === 'function',
      "argument 'opts.teacherStates' expected a tensor [N, S, H], a function of the student's mel, or undefined",
    );
  const trainable = new Set(opts.trainable);
  const encoder = opts.encoderTraining
    ? tacotronEncoderForward(model, batch.ids, batch.textMask, opts.rng)
    : { out: tf.tidy(() => encoderForward(model, batch.ids, batch.textMask, { training: false })), cache: null };
  const decoder = tacotronDecoderForward(model, encoder.out, batch.textMask, {
    steps: batch.steps,
    feed,
    targets: batch.mel,
    rng: opts.rng,
  });
  const postnet = tacotronPostnetForward(model, decoder.out.mel);
  const ownTeacherStates = typeof opts.teacherStates === 'function' ? opts.teacherStates(decoder.out.mel) : null;
  if (ownTeacherStates) c.tensor('opts.teacherStates(mel)', ownTeacherStates, statesShape, 'float32');
  const teacherStates = ownTeacherStates ?? (opts.teacherStates as tf.Tensor | undefined);
  const run = decoder.out;
  const stepLengths = batch.frameLengths.map((f) => Math.ceil(f / model.config.r));
  const W = guidedAttentionWeights(batch.textLengths, stepLengths, batch.ids.shape[1] as number, batch.steps);
  const losses = {
    mel: maskedMseWithGradient(run.mel, batch.mel, batch.frameMask),
    post: maskedMseWithGradient(postnet.out, batch.mel, batch.frameMask),
    stop: stopTokenBceWithGradient(run.stopLogits, batch.stopTargets),
    guide: guidedAttentionWithGradient(
      run.alignments,
      W,
      stepLengths.reduce((a, b) => a + b, 0),
    ),
    distillation: teacherStates ? distillationWithGradient(teacherStates, run.states, batch.stepMask) : null,
  };
  const decayed = Object.fromEntries([...trainable].filter((n) => n.endsWith('W')).map((n) => [n, model.params[n]]));
  const decay = weightDecayWithGradient(decayed, opts.l2);
  const lossF = losses.mel.value + losses.post.value + losses.stop.value + decay.value;
  const lossD = losses.distillation?.value ?? 0;
  const parts = {
    lossF,
    lossD,
    guide: losses.guide.value,
    total: lossF + opts.guide * losses.guide.value + opts.lambda * lossD,
  };
  const grads = tf.tidy(() => {
    const post = tacotronPostnetBackward(losses.post.grad, postnet.cache);
    const dec = tacotronDecoderBackward(
      {
        dmel: tf.add(post.dmel, losses.mel.grad),
        dstopLogits: losses.stop.grad,
        dalignments: opts.guide > 0 ? tf.mul(losses.guide.grad, opts.guide) : null,
        dstates: losses.distillation ? tf.mul(losses.distillation.grad, opts.lambda) : null,
      },
      decoder.cache,
    );
    const all = {
      ...post.grads,
      ...dec.grads,
      ...(encoder.cache ? tacotronEncoderBackward(dec.dmemory, encoder.cache) : {}),
    };
    for (const [name, g] of Object.entries(decay.grads)) all[name] = tf.add(all[name], g);
    return Object.fromEntries([...trainable].map((n) => [n, all[n]]));
  });
  tf.dispose([encoder, decoder, postnet, W, losses, decay.grads, ownTeacherStates] as unknown as tf.TensorContainer);
  return { parts, grads };
}
