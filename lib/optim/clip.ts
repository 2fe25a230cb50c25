/**
 * Gradient clipping by global norm (Pascanu et al., 2013):
 *
 *   ‖g‖ = √(Σ_p ‖g_p‖²),   g_p ← g_p · min(1, maxNorm / ‖g‖)
 *
 * One direction for all parameters, so clipping never changes where the step points.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** ‖g‖ = √(Σ_p ‖g_p‖²) over all gradients (one download; +Infinity when Σg² overflows float32). */
export function globalNorm(grads: Record<string, tf.Tensor>): number {
  const entries = Object.values(grads ?? {});
  checkArgs('globalNorm').require(entries.length > 0, "argument 'grads' expected at least one gradient");
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN(entries.map((g) => tf.sum(tf.square(g))))));
  const norm = normTensor.dataSync()[0];
  normTensor.dispose();
  return norm;
}

/**
 * Returns scaled copies of `grads` (new tensors; the caller still owns and disposes the inputs)
 * and the global norm before clipping. One download (the norm). A NaN norm is returned as is
 * and nothing is scaled: check it with `assertFinite`.
 */
export function clipGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: number } {
  const c = checkArgs('clipGlobalNorm')
    .require(
      grads !== null && typeof grads === 'object',
      `argument 'grads' expected Record<string, tf.Tensor> but got ${grads === null ? 'null' : typeof grads}`,
    )
    .number('maxNorm', maxNorm, { min: 0, exclusiveMin: true });
  for (const [name, g] of Object.entries(grads))
    c.tensor(`grads.${name}`, g, g instanceof tf.Tensor ? g.shape : [], 'float32');
  const entries = Object.entries(grads);
  c.require(entries.length > 0, "argument 'grads' expected at least one gradient");
  const norm = globalNorm(grads);
  const scale = norm > maxNorm ? maxNorm / norm : 1;
  const clipped: Record<string, tf.Tensor> = {};
  for (const [name, g] of entries) clipped[name] = scale === 1 ? tf.clone(g) : tf.mul(g, scale);
  return { grads: clipped, norm };
}
