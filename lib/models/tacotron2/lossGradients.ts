/**
 * The Tacotron losses of ./losses.ts with their hand-derived gradients (values as numbers,
 * gradients as tensors), what the hand-written training step starts its backward from:
 *
 *   MSE(a, y) = Σ m (a − y)² / (M Σ m)            ∂/∂a = 2 m (a − y) / (M Σ m)      m [N, T] frame mask
 *   BCE(x, z) = mean(max(x, 0) − x z + log(1 + e^{−|x|}))       ∂/∂x = (σ(x) − z) / (N S)
 *   Loss_guide = Σ α ⊙ W / Σ_n S_n                 ∂/∂α = W / Σ_n S_n
 *   w_L2 Σ‖W‖²                                     ∂/∂W = 2 w_L2 W
 *   Loss_d = (1/(N S)) Σ ‖s_t − ŝ_t‖² over real steps   ∂/∂ŝ = −2 (s − ŝ) m / (N S)  (distillationLoss)
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { distillationLoss } from '../../losses/distillationLoss';

/** The value of a loss and its gradient with respect to the named input. */
export type LossWithGradient = { value: number; grad: tf.Tensor };

function scalar(x: tf.Tensor): number {
  const v = x.dataSync()[0];
  x.dispose();
  return v;
}

/** Masked MSE of a [N, T, M] against y over the frames where mask [N, T] is 1, and ∂/∂a. */
export function maskedMseWithGradient(a: tf.Tensor, y: tf.Tensor, mask: tf.Tensor): LossWithGradient {
  const { M } = checkArgs('maskedMseWithGradient')
    .tensor('a', a, ['N', 'T', 'M'], 'float32')
    .tensor('y', y, ['N', 'T', 'M'], 'float32')
    .tensor('mask', mask, ['N', 'T'], 'float32').dims as { M: number };
  const denominator = M * Math.max(1, scalar(tf.sum(mask)));
  const [value, grad] = tf.tidy(() => {
    const diff = tf.mul(tf.sub(a, y), tf.expandDims(mask, 2));
    return [tf.div(tf.sum(tf.square(diff)), denominator), tf.mul(diff, 2 / denominator)];
  });
  return { value: scalar(value), grad };
}

/** Mean stop-token BCE of logits [N, S] against targets [N, S], and ∂/∂logits. */
export function stopTokenBceWithGradient(logits: tf.Tensor, targets: tf.Tensor): LossWithGradient {
  checkArgs('stopTokenBceWithGradient')
    .tensor('logits', logits, ['N', 'S'], 'float32')
    .tensor('targets', targets, ['N', 'S'], 'float32');
  const [value, grad] = tf.tidy(() => [
    tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))),
    tf.div(tf.sub(tf.sigmoid(logits), targets), logits.size),
  ]);
  return { value: scalar(value), grad };
}

/** Loss_guide of alignments [N, S, L] with weights W [N, S, L], and ∂/∂α. */
export function guidedAttentionWithGradient(
  alignments: tf.Tensor,
  weights: tf.Tensor,
  totalSteps: number,
): LossWithGradient {
  checkArgs('guidedAttentionWithGradient')
    .tensor('alignments', alignments, ['N', 'S', 'L'], 'float32')
    .tensor('weights', weights, ['N', 'S', 'L'], 'float32')
    .number('totalSteps', totalSteps, { integer: true, min: 0 });
  const scale = 1 / Math.max(1, totalSteps);
  return {
    value: scalar(tf.tidy(() => tf.mul(tf.sum(tf.mul(alignments, weights)), scale))),
    grad: tf.mul(weights, scale),
  };
}

/** w_L2 Σ‖W‖² over `params` (the caller passes the decayed ones), and each ∂/∂W = 2 w_L2 W. */
export function weightDecayWithGradient(
  params: Record<string, tf.Tensor>,
  weight: number,
): { value: number; grads: Record<string, tf.Tensor> } {
  checkArgs('weightDecayWithGradient').number('weight', weight, { min: 0 });
  const names = Object.keys(params);
  const value = names.length
    ? scalar(tf.tidy(() => tf.mul(tf.addN(names.map((n) => tf.sum(tf.square(params[n])))), weight)))
    : 0;
  return { value, grads: Object.fromEntries(names.map((n) => [n, tf.mul(params[n], 2 * weight)])) };
}

/**
 * Loss_d between the teacher's states s and the student's ŝ [N, S, H] over the real steps
 * (stepMask [N, S]), and ∂/∂ŝ.
 */
export function distillationWithGradient(
  teacher: tf.Tensor,
  student: tf.Tensor,
  stepMask: tf.Tensor,
): LossWithGradient {
  checkArgs('distillationWithGradient')
    .tensor('teacher', teacher, ['N', 'S', 'H'], 'float32')
    .tensor('student', student, ['N', 'S', 'H'], 'float32')
    .tensor('stepMask', stepMask, ['N', 'S'], 'float32');
  const m = tf.expandDims(stepMask, 2);
  const [s, sHat] = [tf.mul(teacher, m), tf.mul(student, m)];
  const { loss, dsHat } = distillationLoss(s, sHat);
  const grad = tf.mul(dsHat, m);
  tf.dispose([m, s, sHat, dsHat]);
  return { value: loss, grad };
}
