/**
 * KL divergence of a diagonal Gaussian posterior q = N(μ, σ²) from the standard normal prior,
 * summed over the K latent dimensions and averaged over the batch (the VAE's regulariser;
 * weighted by β in a β-VAE):
 *
 *   KL(q ‖ N(0, I)) = ½ Σₖ (μₖ² + σₖ² − log σₖ² − 1),   σ² = exp(log σ²)
 *   ∂KL/∂μ = μ,   ∂KL/∂log σ² = ½ (σ² − 1)         (each divided by N for the batch mean)
 *
 * The gradient in log σ² vanishes at σ² = 1 and the one in μ at μ = 0: the prior.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** mu, logVar [N, K] → the batch-mean KL and its gradients dmu, dlogVar [N, K]. */
export function gaussianKl(mu: tf.Tensor, logVar: tf.Tensor): { loss: number; dmu: tf.Tensor; dlogVar: tf.Tensor } {
  const { N } = checkArgs('gaussianKl')
    .tensor('mu', mu, ['N', 'K'], 'float32')
    .tensor('logVar', logVar, ['N', 'K'], 'float32').dims;
  const [lossT, dmu, dlogVar] = tf.tidy(() => {
    const variance = tf.exp(logVar);
    const perElement = tf.sub(tf.sub(tf.add(tf.square(mu), variance), logVar), 1);
    const loss = tf.div(tf.sum(perElement), 2 * N);
    const dmu = tf.div(mu, N);
    const dlogVar = tf.div(tf.sub(variance, 1), 2 * N);
    return [loss, dmu, dlogVar];
  });
  const loss = lossT.dataSync()[0];
  lossT.dispose();
  return { loss, dmu, dlogVar };
}
