/**
 * Softmax cross-entropy, averaged over the batch, with its gradient:
 *
 *   p = softmax(z),  L = −(1/N) Σ_n log p[n, y_n],   ∂L/∂z = (p − onehot(y)) / N
 *
 * computed from log-softmax z − max − log Σ exp(z − max), stable for any logits.
 *
 * @param logits [N, C] float32
 * @param y      [N] int32 class indices in [0, C) (checked: an index out of range would
 *               silently one-hot to a zero row)
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export function softmaxCrossEntropy(logits: tf.Tensor, y: tf.Tensor): { loss: number; dlogits: tf.Tensor } {
  const c = checkArgs('softmaxCrossEntropy')
    .tensor('logits', logits, ['N', 'C'], 'float32')
    .tensor('y', y, ['N'], 'int32');
  const { N, C } = c.dims;
  c.classIndices('y', y, C);
  const [lossT, dlogits] = tf.tidy(() => {
    // BEGIN SOLUTION
    const shifted = tf.sub(logits, tf.max(logits, 1, true));
    const logProbs = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true)));
    const onehot = tf.oneHot(y, C);
    const loss = tf.div(tf.neg(tf.sum(tf.mul(onehot, logProbs))), N);
    const dlogits = tf.div(tf.sub(tf.exp(logProbs), onehot), N);
    // END SOLUTION
    return [loss, dlogits];
  });
  const loss = lossT.dataSync()[0];
  lossT.dispose();
  return { loss, dlogits };
}
