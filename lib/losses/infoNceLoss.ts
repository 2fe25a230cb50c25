/**
 * Symmetric InfoNCE (CLIP-style contrastive loss) between paired embeddings za[n] ↔ zb[n]:
 *
 *   âₙ = aₙ/‖aₙ‖,  b̂ₙ = bₙ/‖bₙ‖,  S = Â B̂ᵀ / τ   [N, N]
 *   L = ½ [ CE(S, diag) + CE(Sᵀ, diag) ]   (cross-entropy of each row/column against its pair)
 *
 * Backward: G = ∂L/∂S = ½ [(softmax_rows(S) − I) + (softmax_rows(Sᵀ) − I)ᵀ] / N;
 * ∂L/∂Â = G B̂ / τ, ∂L/∂B̂ = Gᵀ Â / τ; through the normalisation x̂ = x/‖x‖,
 * ∂L/∂x = (g − x̂ ⟨x̂, g⟩) / ‖x‖.
 *
 * Gradients are returned for the raw (unnormalised) embeddings. A zero row has no direction
 * and gives NaN (catch it with `assertFinite`).
 *
 * A learnable temperature (CLIP): with the logit scale t = log(1/τ), S = Â B̂ᵀ · eᵗ, so
 * ∂S/∂t = S and ∂L/∂t = Σᵢⱼ Gᵢⱼ Sᵢⱼ (returned as `dLogitScale`; update t, then τ = e⁻ᵗ).
 *
 * @param za [N, E] float32, row n pairs with zb's row n
 * @param zb [N, E] float32
 * @param temperature τ > 0 (CLIP learns it; 0.07 is its initial value)
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export function infoNceLoss(
  za: tf.Tensor,
  zb: tf.Tensor,
  temperature: number,
): { loss: number; dza: tf.Tensor; dzb: tf.Tensor; dLogitScale: number } {
  const { N } = checkArgs('infoNceLoss')
    .tensor('za', za, ['N', 'E'], 'float32')
    .tensor('zb', zb, ['N', 'E'], 'float32')
    .number('temperature', temperature, { min: 0, exclusiveMin: true }).dims;
  const [lossT, dza, dzb, dScaleT] = tf.tidy(() => {
    // BEGIN SOLUTION
    const normA = tf.norm(za, 'euclidean', 1, true);
    const normB = tf.norm(zb, 'euclidean', 1, true);
    const a = tf.div(za, normA);
    const b = tf.div(zb, normB);
    const S = tf.div(tf.matMul(a, tf.transpose(b)), temperature);
    const eye = tf.eye(N);
    const logSoftmaxRows = (m: tf.Tensor): tf.Tensor => tf.sub(m, tf.logSumExp(m, 1, true));
    const lossRows = tf.neg(tf.sum(tf.mul(eye, logSoftmaxRows(S))));
    const St = tf.transpose(S);
    const lossCols = tf.neg(tf.sum(tf.mul(eye, logSoftmaxRows(St))));
    const loss = tf.div(tf.add(lossRows, lossCols), 2 * N);
    const G = tf.div(tf.add(tf.sub(tf.softmax(S), eye), tf.transpose(tf.sub(tf.softmax(St), eye))), 2 * N);
    const da = tf.div(tf.matMul(G, b), temperature);
    const db = tf.div(tf.matMul(tf.transpose(G), a), temperature);
    const throughNorm = (g: tf.Tensor, xhat: tf.Tensor, norm: tf.Tensor): tf.Tensor =>
      tf.div(tf.sub(g, tf.mul(xhat, tf.sum(tf.mul(xhat, g), 1, true))), norm);
    const dza = throughNorm(da, a, normA);
    const dzb = throughNorm(db, b, normB);
    const dLogitScale = tf.sum(tf.mul(G, S));
    // END SOLUTION
    return [loss, dza, dzb, dLogitScale];
  });
  const loss = lossT.dataSync()[0];
  const dLogitScale = dScaleT.dataSync()[0];
  tf.dispose([lossT, dScaleT]);
  return { loss, dza, dzb, dLogitScale };
}
