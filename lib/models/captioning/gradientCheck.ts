/**
 * Gradient check of a whole {@link CaptioningRNN}: every parameter's hand-written gradient
 * from `loss` against centred differences of the loss itself.
 *
 * For each parameter θ and K random directions u (entries ~ N(0, 1), same shape as θ, scaled to
 * ‖u‖ = ‖θ‖ unless θ = 0), the directional derivative is computed both ways: analytic ⟨∂L/∂θ, u⟩
 * from the backward, and numeric by the fourth-order centred difference
 *
 *   [8 (L(θ + εu) − L(θ − εu)) − (L(θ + 2εu) − L(θ − 2εu))] / 12ε     (error O(ε⁴)),
 *
 * and the normwise relative error over the K directions is reported. A direction touches
 * every entry of θ at once, so K = 3 checks the whole gradient with 4K losses per parameter
 * (an entry-by-entry check would need 2 per entry). The loss is float32, summed over a caption:
 * the fourth-order formula allows a step large enough (ε = 2e-2) that its round-off stays
 * small, so a correct gradient shows ≲ 1e-3 and a wrong one ≳ 1e-1.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { Rng, randn } from '../../core/random';
import { GradientCheckError, relError } from '../../analysis/gradcheck';
import { CaptioningRNN } from './captioningRnn';

/**
 * A random direction for θ: entries ~ N(0, 1), rescaled to the norm of θ (a step of ε is then
 * ε relative to the parameter, whatever its size and fan-in), and left as drawn when θ = 0 (biases).
 */
function direction(param: tf.Tensor, rng: Rng): tf.Tensor {
  return tf.tidy(() => {
    const u = randn(param.shape, rng);
    const [normTheta, normU] = [tf.norm(param).dataSync()[0], tf.norm(u).dataSync()[0]];
    return normTheta > 0 ? tf.mul(u, normTheta / normU) : tf.clone(u);
  });
}

export interface CaptionGradientCheckOptions {
  /** Random directions per parameter (default 3). */
  directions?: number;
  /** Finite-difference step ε, relative to ‖θ‖ (default 2e-2). */
  epsilon?: number;
  seed?: number;
  /** Throw when a parameter's relative error exceeds this (default 1e-2). */
  tolerance?: number;
}

/**
 * Checks `model.loss(features, captions)`'s gradient of every parameter; returns the relative
 * error per parameter name and throws (naming the parameter and its error) when one exceeds
 * `tolerance` (a {@link GradientCheckError}). The parameters are restored exactly afterwards.
 */
export function checkCaptioningGradients(
  model: CaptioningRNN,
  features: tf.Tensor,
  captions: tf.Tensor,
  opts: CaptionGradientCheckOptions = {},
): Record<string, number> {
  const { directions = 3, epsilon = 2e-2, seed = 0, tolerance = 1e-2 } = opts;
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
          const u = direction(param, rng);
          const lossAt = (scale: number): number => {
            tf.tidy(() => param.assign(tf.add(saved, tf.mul(u, scale))));
            return model.evaluateLoss(features, captions);
          };
          const [p1, m1] = [lossAt(epsilon), lossAt(-epsilon)];
          const [p2, m2] = [lossAt(2 * epsilon), lossAt(-2 * epsilon)];
          numeric.push((8 * (p1 - m1) - (p2 - m2)) / (12 * epsilon));
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
    const failures = bad.map(
      ([n, e]) => `d${n} relative error ${e.toExponential(1)} exceeds ${tolerance.toExponential(1)}`,
    );
    const measured = Object.fromEntries(Object.entries(errors).map(([n, e]) => [n, { numeric: e, autodiff: null }]));
    throw new GradientCheckError(
      `checkCaptioningGradients: ${list} above tolerance ${tolerance.toExponential(1)}`,
      measured,
      failures,
    );
  }
  return errors;
}
