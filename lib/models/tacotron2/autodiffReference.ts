/**
 * The Tacotron 2 training step differentiated by tfjs autodiff (tf.variableGrads over the
 * tfjs expressions of ./encoder.ts, ./decoder.ts and ./postnet.ts, with the hand-written
 * attention backward unless `attentionGradient: 'autodiff'`): the project's step before every
 * gradient was written by hand. It stays as the reference the tests compare the hand-written
 * backward (./backprop.ts) with, and as the baseline `npm run bench -- tacotron` times.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import type { AttentionGradient } from './attentionGradient';
import type { TacotronBackpropOptions, TacotronLossParts } from './backprop';
import type { TacotronBatch } from './batch';
import type { Tacotron2 } from './config';
import { DecoderFeed, decoderContext, runDecoder } from './decoder';
import { encoderForward } from './encoder';
import {
  distillationTerm,
  guidedAttentionLoss,
  guidedAttentionWeights,
  maskedMse,
  stopTokenBce,
  weightDecay,
} from './losses';
import { postnetForward } from './postnet';

/** The total loss and its parts as scalars, inside a gradient scope. */
function batchLoss(
  model: Tacotron2,
  batch: TacotronBatch,
  feed: DecoderFeed,
  opts: TacotronBackpropOptions & { attentionGradient: AttentionGradient },
): { total: tf.Scalar; lossF: tf.Tensor; lossD: tf.Tensor; guide: tf.Tensor } {
  const memory = encoderForward(model, batch.ids, batch.textMask, { training: opts.encoderTraining, rng: opts.rng });
  const ctx = decoderContext(model, memory, batch.textMask, opts.attentionGradient);
  const run = runDecoder(ctx, { steps: batch.steps, feed, targets: batch.mel, rng: opts.rng });
  const post = postnetForward(model, run.mel);
  const lossF = tf.addN([
    maskedMse(run.mel, batch.mel, batch.frameMask),
    maskedMse(post, batch.mel, batch.frameMask),
    stopTokenBce(run.stopLogits, batch.stopTargets),
    weightDecay(model.params, [...opts.trainable], opts.l2),
  ]);
  const stepLengths = batch.frameLengths.map((f) => Math.ceil(f / model.config.r));
  const W = guidedAttentionWeights(batch.textLengths, stepLengths, batch.ids.shape[1] as number, batch.steps);
  const guide = guidedAttentionLoss(
    run.alignments,
    W,
    stepLengths.reduce((a, b) => a + b, 0),
  );
  const m = tf.expandDims(batch.stepMask, 2);
  const lossD = opts.teacherStates
    ? distillationTerm(tf.mul(opts.teacherStates as tf.Tensor, m), tf.mul(run.states, m))
    : tf.scalar(0);
  const total = tf.add(tf.add(lossF, tf.mul(guide, opts.guide)), tf.mul(lossD, opts.lambda)) as tf.Scalar;
  return { total, lossF, lossD, guide };
}

/** The same contract as ./backprop.ts's tacotronBackprop, by autodiff. */
export function tacotronAutodiffBackprop(
  model: Tacotron2,
  batch: TacotronBatch,
  feed: DecoderFeed,
  opts: TacotronBackpropOptions & { attentionGradient?: AttentionGradient },
): { parts: TacotronLossParts; grads: Record<string, tf.Tensor> } {
  checkArgs('tacotronAutodiffBackprop')
    .require(opts?.rng instanceof Rng, "argument 'opts.rng' expected an Rng")
    .require(
      Array.isArray(opts.trainable) && opts.trainable.every((n) => model.params[n] !== undefined),
      "argument 'opts.trainable' expected names of the model's parameters",
    )
    .require(
      typeof opts.teacherStates !== 'function',
      "argument 'opts.teacherStates' expected a tensor: the reference has no teacher reading the student's frames",
    );
  const byVariable = new Map(opts.trainable.map((n) => [model.params[n].name, n]));
  const parts = { lossF: 0, lossD: 0, guide: 0, total: 0 };
  const { value, grads } = tf.variableGrads(
    () => {
      const out = batchLoss(model, batch, feed, { ...opts, attentionGradient: opts.attentionGradient ?? 'hand' });
      [parts.lossF, parts.lossD, parts.guide, parts.total] = [out.lossF, out.lossD, out.guide, out.total].map(
        (t) => t.dataSync()[0],
      );
      return out.total;
    },
    opts.trainable.map((n) => model.params[n]),
  );
  value.dispose();
  return { parts, grads: Object.fromEntries(Object.entries(grads).map(([v, g]) => [byVariable.get(v)!, g])) };
}
