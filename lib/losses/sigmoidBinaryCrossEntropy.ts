/**
 * Binary cross-entropy on logits, for independent (multi-label) sigmoid outputs, with an
 * optional positive-class weight p_c per label (p > 1 counts a missed positive more — for
 * imbalanced labels). Per element, with σ the sigmoid,
 *
 *   ℓ = −[p · y · log σ(x) + (1 − y) · log(1 − σ(x))]
 *     = (1 − y) · x + (1 + (p − 1) y) · softplus(−x),    softplus(−x) = log(1 + e^{−|x|}) + max(−x, 0)
 *
 * which never exponentiates a large positive number (stable for |x| up to 1e4 and beyond).
 * L is the mean over all N·C elements, and
 *
 *   ∂ℓ/∂x = (1 − y) − (1 + (p − 1) y) · σ(−x),   ∂L/∂x = ∂ℓ/∂x / (N·C).
 *
 * @param logits [N, C] float32
 * @param y      [N, C] float32 targets in [0, 1]
 * @param opts.posWeight [C] positive-class weights (default 1: plain BCE); a common choice for a
 *                       rare label c is p_c = (#negatives of c) / (#positives of c)
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export function sigmoidBinaryCrossEntropy(
  logits: tf.Tensor,
  y: tf.Tensor,
  opts: { posWeight?: number[] | tf.Tensor } = {},
): { loss: number; dlogits: tf.Tensor } {
  const c = checkArgs('sigmoidBinaryCrossEntropy')
    .tensor('logits', logits, ['N', 'C'], 'float32')
    .tensor('y', y, ['N', 'C'], 'float32');
  const { N, C } = c.dims;
  if (Array.isArray(opts.posWeight)) {
    c.require(
      opts.posWeight.length === C,
      `argument 'posWeight' expected length C=${C} but got ${opts.posWeight.length}`,
    );
    c.require(
      opts.posWeight.every((w) => Number.isFinite(w) && w >= 0),
      "argument 'posWeight' expected finite weights >= 0",
    );
  } else c.optionalTensor('posWeight', opts.posWeight, ['C'], 'float32');
  const [lossT, dlogits] = tf.tidy(() => {
    // p is [C] (broadcast over the batch) or the scalar 1.
    const p =
      opts.posWeight === undefined
        ? tf.scalar(1)
        : Array.isArray(opts.posWeight)
          ? tf.tensor1d(opts.posWeight, 'float32')
          : opts.posWeight;
    // BEGIN SOLUTION
    const weight = tf.add(1, tf.mul(tf.sub(p, 1), y)); // 1 + (p − 1) y
    const softplusNeg = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))), tf.relu(tf.neg(logits)));
    const elementLoss = tf.add(tf.mul(tf.sub(1, y), logits), tf.mul(weight, softplusNeg));
    const loss = tf.mean(elementLoss);
    const dlogits = tf.div(tf.sub(tf.sub(1, y), tf.mul(weight, tf.sigmoid(tf.neg(logits)))), N * C);
    // END SOLUTION
    return [loss, dlogits];
  });
  const loss = lossT.dataSync()[0];
  lossT.dispose();
  return { loss, dlogits };
}
