/**
 * Knowledge-distillation loss between a teacher's hidden states s (constant) and a
 * student's ŝ, summed over features, averaged over time and batch:
 *
 *   L = (1/N) Σ_n (1/T) Σ_t ‖s[n,t] − ŝ[n,t]‖²,     ∂L/∂ŝ = −(2 / (N·T)) (s − ŝ)
 *
 * The teacher side gets no gradient.
 *
 * @param s    [N, T, H] teacher states
 * @param sHat [N, T, H] student states
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export function distillationLoss(s: tf.Tensor, sHat: tf.Tensor): { loss: number; dsHat: tf.Tensor } {
  const { N, T } = checkArgs('distillationLoss')
    .tensor('s', s, ['N', 'T', 'H'], 'float32')
    .tensor('sHat', sHat, ['N', 'T', 'H'], 'float32').dims;
  const [lossT, dsHat] = tf.tidy(() => {
    // BEGIN SOLUTION
    const diff = tf.sub(s, sHat);
    const loss = tf.div(tf.sum(tf.square(diff)), N * T);
    const dsHat = tf.mul(diff, -2 / (N * T));
    // END SOLUTION
    return [loss, dsHat];
  });
  const loss = lossT.dataSync()[0];
  lossT.dispose();
  return { loss, dsHat };
}
