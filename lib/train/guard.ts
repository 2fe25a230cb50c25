/**
 * Stops training at the first non-finite number, naming the step and the tensor — instead
 * of a NaN silently spreading through the weights.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export class NonFiniteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

/**
 * Throws `NonFiniteError` ("step 12: loss is NaN", "step 12: tensor 'dWx' has 3 non-finite
 * values") if any value is NaN or ±Inf. Tensors are checked with one fused reduction and
 * one download.
 */
export function assertFinite(step: number, values: Record<string, tf.Tensor | number>): void {
  checkArgs('assertFinite').number('step', step);
  for (const [name, v] of Object.entries(values)) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new NonFiniteError(`step ${step}: ${name} is ${v}`);
  }
  const tensors = Object.entries(values).filter((e): e is [string, tf.Tensor] => e[1] instanceof tf.Tensor);
  if (tensors.length === 0) return;
  const counts = tf.tidy(() =>
    tf.stack(tensors.map(([, t]) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(t)), 'int32')))),
  );
  const bad = counts.dataSync();
  counts.dispose();
  tensors.forEach(([name, t], i) => {
    if (bad[i] > 0)
      throw new NonFiniteError(
        `step ${step}: tensor '${name}' [${t.shape.join(', ')}] ` +
          `has ${bad[i]} non-finite value${bad[i] === 1 ? '' : 's'}`,
      );
  });
}

/**
 * The check for loops that clip by global norm: the loss and the norm ‖g‖ from
 * `clipGlobalNorm` are already downloaded, and ‖g‖ is finite exactly when every gradient is
 * (barring float32 overflow of Σg²), so a healthy step costs no extra pass over the
 * gradients. Only a non-finite norm triggers the per-tensor pass that names the culprit.
 */
export function assertFiniteStep(step: number, loss: number, gradNorm: number, grads: Record<string, tf.Tensor>): void {
  assertFinite(step, { loss });
  if (Number.isFinite(gradNorm)) return;
  assertFinite(step, grads);
  throw new NonFiniteError(
    `step ${step}: gradient norm is ${gradNorm} (every gradient is finite: Σg² overflowed float32)`,
  );
}

/**
 * After an update: every parameter still finite, or `NonFiniteError` naming the step and the
 * parameter ("step 12: after the update, parameter 'W' [3, 4] has 12 non-finite values") — what
 * a learning rate of 1e40, or Adam with ε = 0 on a zero gradient, would otherwise leave behind
 * silently. One fused reduction and one download.
 */
export function assertParamsFinite(step: number, params: Record<string, tf.Tensor>): void {
  const entries = Object.entries(params);
  if (entries.length === 0) return;
  const counts = tf.tidy(() =>
    tf.stack(entries.map(([, t]) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(t)), 'int32')))),
  );
  const bad = counts.dataSync();
  counts.dispose();
  entries.forEach(([name, t], i) => {
    if (bad[i] > 0)
      throw new NonFiniteError(
        `step ${step}: after the update, parameter '${name}' [${t.shape.join(', ')}] ` +
          `has ${bad[i]} non-finite value${bad[i] === 1 ? '' : 's'}`,
      );
  });
}
