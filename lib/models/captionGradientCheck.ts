/**
 * Gradient check of a whole {@link CaptioningRNN}: every parameter's hand-written gradient
 * from `loss` against centred differences of the loss itself.
 *
 * For each parameter θ and K random directions u (entries ~ N(0, 1), same shape as θ), the
 * directional derivative is computed both ways,
 *
 *   analytic ⟨∂L/∂θ, u⟩      numeric (L(θ + ε u) − L(θ − ε u)) / 2ε,
 *
 * and the normwise relative error over the K directions is reported. A direction touches
 * every entry of θ at once, so K = 3 checks the whole gradient with 2K losses per parameter
 * (an entry-by-entry check would need 2 per entry). In float32 a loss summed over a caption
 * is accurate to ~1e-6 relative, so with ε = 1e-2 a correct gradient shows ≲ 1e-3 and a wrong
 * one ≳ 1e-1.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { Rng, randn } from '../core/random';
import { relError } from '../gradcheck';
import { CaptioningRNN } from './captioningRnn';

export interface CaptionGradientCheckOptions {
  /** Random directions per parameter (default 3). */
  directions?: number;
  /** Finite-difference step ε (default 1e-2). */
  epsilon?: number;
  seed?: number;
  /** Throw when a parameter's relative error exceeds this (default 1e-2). */
  tolerance?: number;
}

/**
 * Checks `model.loss(features, captions)`'s gradient of every parameter; returns the relative
 * error per parameter name and throws (naming the parameter and its error) when one exceeds
 * `tolerance`. The parameters are restored exactly afterwards.
 */
export function checkCaptioningGradients(model: CaptioningRNN, features: tf.Tensor, captions: tf.Tensor, opts: CaptionGradientCheckOptions = {}): Record<string, number> {
  const { directions = 3, epsilon = 1e-2, seed = 0, tolerance = 1e-2 } = opts;
  checkArgs('checkCaptioningGradients')
    .number('directions', directions, { integer: true, min: 1 })
    .number('epsilon', epsilon, { min: 0, exclusiveMin: true })
    .number('tolerance', tolerance, { min: 0, exclusiveMin: true });
  const { grads } = model.loss(features, captions);
  const rng = new Rng(seed);
  const errors: Record<string, number> = {};
  try {
    for (const [name, param] of Object.entries(model.params)) {
      const saved = tf.clone(param);
      const analytic: number[] = [];
      const numeric: number[] = [];
      try {
        for (let k = 0; k < directions; k++) {
          const u = randn(param.shape, rng);
          const lossAt = (scale: number): number => {
            tf.tidy(() => param.assign(tf.add(saved, tf.mul(u, scale))));
            return model.evaluateLoss(features, captions);
          };
          const [plus, minus] = [lossAt(epsilon), lossAt(-epsilon)];
          numeric.push((plus - minus) / (2 * epsilon));
          analytic.push(tf.tidy(() => tf.sum(tf.mul(grads[name], u)).dataSync()[0]));
          u.dispose();
        }
      } finally {
        param.assign(saved);
        saved.dispose();
      }
      errors[name] = relError(analytic, numeric);
    }
  } finally {
    tf.dispose(Object.values(grads));
  }
  const bad = Object.entries(errors).filter(([, e]) => !(e <= tolerance));
  if (bad.length > 0) {
    const list = bad.map(([n, e]) => `d${n} (relative error ${e.toExponential(1)})`).join(', ');
    throw new Error(`checkCaptioningGradients: ${list} above tolerance ${tolerance.toExponential(0)}`);
  }
  return errors;
}
