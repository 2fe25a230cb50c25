/**
 * Attribute regularisation of a latent dimension (AR-VAE, Pati & Lerch 2021): make latent
 * dimension r order a batch the way attribute a does.
 *
 * For a batch of N latent values z (dimension r) and attribute values a, with the pairwise
 * differences Dᵣ[i, j] = zᵢ − zⱼ and Dₐ[i, j] = aᵢ − aⱼ:
 *
 *   L = (1/N²) Σᵢⱼ | tanh(δ · Dᵣ[i, j]) − sign(Dₐ[i, j]) |
 *
 * δ sets how sharply tanh approximates a sign. Gradient, with tᵢⱼ = tanh(δ Dᵣ[i, j]) and
 * gᵢⱼ = sign(tᵢⱼ − sign(Dₐ[i, j])) · δ (1 − tᵢⱼ²): zᵢ enters Dᵣ[i, j] with +1 and Dᵣ[j, i]
 * with −1, and g is antisymmetric (t and sign(Dₐ) both flip with the pair), so
 *
 *   ∂L/∂zᵢ = (1/N²) Σⱼ (gᵢⱼ − gⱼᵢ) = (2/N²) Σⱼ gᵢⱼ.
 *
 * At a tie (tᵢⱼ = sign(Dₐ), e.g. i = j) the subgradient 0 is used, as for |x| at 0.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { tanh } from '../ops/fastOps';

/**
 * @param z one latent dimension over the batch [N]
 * @param attribute the attribute that dimension should follow [N]
 * @param delta the tanh sharpness δ > 0 (AR-VAE uses 1–10)
 * @returns the loss and dz [N]
 */
export function attributeRegularizationLoss(
  z: tf.Tensor,
  attribute: tf.Tensor,
  delta = 1,
): { loss: number; dz: tf.Tensor } {
  const { N } = checkArgs('attributeRegularizationLoss')
    .tensor('z', z, ['N'], 'float32')
    .tensor('attribute', attribute, ['N'], 'float32')
    .number('delta', delta, { min: 0, exclusiveMin: true }).dims;
  const [lossT, dz] = tf.tidy(() => {
    const pairwise = (v: tf.Tensor) => tf.sub(tf.expandDims(v, 1), tf.expandDims(v, 0)); // [N, N]: vᵢ − vⱼ
    const t = tanh(tf.mul(delta, pairwise(z)));
    const target = tf.sign(pairwise(attribute));
    const loss = tf.div(tf.sum(tf.abs(tf.sub(t, target))), N * N);
    const g = tf.mul(tf.sign(tf.sub(t, target)), tf.mul(delta, tf.sub(1, tf.square(t))));
    const dz = tf.mul(tf.sum(g, 1), 2 / (N * N));
    return [loss, dz];
  });
  const loss = lossT.dataSync()[0];
  lossT.dispose();
  return { loss, dz };
}
