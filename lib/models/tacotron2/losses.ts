/**
 * The Tacotron losses (scalars for autodiff):
 *
 *   Loss_f = MSE(ŷ, y) + MSE(ŷ_post, y) + BCE(stop, stop*) + w_L2 Σ‖W‖²      (Liu et al. Eq. 1; Tacotron 2 §4.1)
 *   MSE over real frames and mel bins; BCE over every step of the batch's padded length (a
 *   finished utterance must keep saying stop).
 *
 *   Loss_guide = Σ_{n,t,l} α[n,t,l] · (1 − exp(−(l/L_n − t/S_n)² / (2g²))) / Σ_n S_n   (Tachibana et al.'s
 *   guided attention; the same aid for every system here, g = 0.2)
 *
 *   Loss_d = (1/N)(1/T) Σ ‖s_t − ŝ_t‖²   (Eq. 6): the library's `distillationLoss`, whose
 *   hand-derived gradient ∂L/∂ŝ drives autodiff through {@link distillationTerm}.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { distillationLoss } from '../../losses/distillationLoss';
import type { TacotronParams } from './config';

/** Σ mask·(a − b)² / (Σ mask · M) for a, b [N, T, M] and mask [N, T]. */
export function maskedMse(a: tf.Tensor, b: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const { M } = checkArgs('maskedMse')
    .tensor('a', a, ['N', 'T', 'M'], 'float32')
    .tensor('b', b, ['N', 'T', 'M'], 'float32')
    .tensor('mask', mask, ['N', 'T'], 'float32').dims as { M: number };
  return tf.div(
    tf.sum(tf.mul(tf.square(tf.sub(a, b)), tf.expandDims(mask, 2))),
    tf.mul(tf.maximum(tf.sum(mask), 1), M),
  );
}

/** Mean binary cross-entropy of logits x against targets y: max(x, 0) − x·y + log(1 + e^(−|x|)). */
export function stopTokenBce(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  checkArgs('stopTokenBce')
    .tensor('logits', logits, ['N', 'S'], 'float32')
    .tensor('targets', targets, ['N', 'S'], 'float32');
  return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

/** The guided-attention weights W [N, S, L] for the real steps and characters (0 elsewhere). */
export function guidedAttentionWeights(
  textLengths: readonly number[],
  stepLengths: readonly number[],
  L: number,
  S: number,
  g = 0.2,
): tf.Tensor {
  const N = textLengths.length;
  checkArgs('guidedAttentionWeights')
    .number('g', g, { min: 0, exclusiveMin: true })
    .require(
      textLengths.every((l) => Number.isInteger(l) && l >= 1 && l <= L),
      `argument 'textLengths' expected integers in [1, ${L}]`,
    )
    .require(stepLengths.length === N, `argument 'stepLengths' expected ${N} lengths but got ${stepLengths.length}`);
  const w = new Float32Array(N * S * L);
  for (let n = 0; n < N; n++)
    for (let t = 0; t < stepLengths[n]; t++)
      for (let l = 0; l < textLengths[n]; l++)
        w[(n * S + t) * L + l] = 1 - Math.exp(-((l / textLengths[n] - t / stepLengths[n]) ** 2) / (2 * g * g));
  return tf.tensor3d(w, [N, S, L]);
}

/** Loss_guide for alignments [N, S, L] and weights from {@link guidedAttentionWeights}. */
export function guidedAttentionLoss(alignments: tf.Tensor, weights: tf.Tensor, totalSteps: number): tf.Tensor {
  checkArgs('guidedAttentionLoss')
    .tensor('alignments', alignments, ['N', 'S', 'L'], 'float32')
    .tensor('weights', weights, ['N', 'S', 'L'], 'float32');
  return tf.div(tf.sum(tf.mul(alignments, weights)), Math.max(1, totalSteps));
}

/** w_L2 · Σ‖W‖² over the weight matrices and filters (names ending in W; not biases, BN or the embedding). */
export function weightDecay(params: TacotronParams, names: readonly string[], weight: number): tf.Tensor {
  checkArgs('weightDecay')
    .number('weight', weight, { min: 0 })
    .require(
      names.every((n) => params[n] instanceof tf.Variable),
      `argument 'names' has a name that is not a parameter`,
    );
  const ws = names.filter((n) => n.endsWith('W')).map((n) => tf.sum(tf.square(params[n])));
  return ws.length ? tf.mul(tf.addN(ws), weight) : tf.scalar(0);
}

/**
 * Loss_d(s, ŝ) as a differentiable scalar: the value and the gradient ∂L/∂ŝ = −(2/(N·T))(s − ŝ)
 * both come from the library's hand-written `distillationLoss`; the teacher's s is a constant.
 * @param teacher s [N, T, H]; @param student ŝ [N, T, H]
 */
export function distillationTerm(teacher: tf.Tensor, student: tf.Tensor): tf.Tensor {
  checkArgs('distillationTerm')
    .tensor('teacher', teacher, ['N', 'T', 'H'], 'float32')
    .tensor('student', student, ['N', 'T', 'H'], 'float32');
  const term = tf.customGrad(((sHat: tf.Tensor, save: tf.GradSaveFunc) => {
    const { loss, dsHat } = distillationLoss(teacher, sHat);
    save([dsHat]);
    dsHat.dispose();
    return { value: tf.scalar(loss), gradFunc: (dy: tf.Tensor, [g]: tf.Tensor[]) => [tf.mul(g, dy)] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (term as unknown as (x: tf.Tensor) => tf.Tensor)(student);
}
