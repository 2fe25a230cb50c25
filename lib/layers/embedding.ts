/**
 * Word embedding: a lookup of rows of W.
 *
 *   out[n, t] = W[x[n, t]]                 x int32 [N, T], W [V, D] → out [N, T, D]
 *   dW[v] = Σ_{(n,t): x[n,t] = v} dout[n, t]   (a scatter-add: repeated words accumulate)
 *
 * The scatter-add is the same one tfjs's gather gradient uses ({@link unsortedSegmentSum}).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { unsortedSegmentSum } from '../ops/segmentSum';

export type WordEmbeddingCache = { x: tf.Tensor; V: number };

export function wordEmbeddingForward(x: tf.Tensor, W: tf.Tensor): { out: tf.Tensor; cache: WordEmbeddingCache } {
  const { N, T, V, D } = checkArgs('wordEmbeddingForward')
    .tensor('x', x, ['N', 'T'], 'int32')
    .tensor('W', W, ['V', 'D'], 'float32').dims;
  const out = tf.tidy(() => {
    // BEGIN SOLUTION
    return tf.reshape(tf.gather(W, tf.reshape(x, [N * T])), [N, T, D]);
    // END SOLUTION
  });
  return { out, cache: { x: tf.clone(x), V } };
}

export function wordEmbeddingBackward(dout: tf.Tensor, cache: WordEmbeddingCache): { dW: tf.Tensor } {
  const { N, T, D } = checkArgs('wordEmbeddingBackward')
    .tensor('cache.x', cache?.x, ['N', 'T'], 'int32')
    .tensor('dout', dout, ['N', 'T', 'D'], 'float32').dims;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dW = unsortedSegmentSum(tf.reshape(dout, [N * T, D]), tf.reshape(cache.x, [N * T]), cache.V);
    // END SOLUTION
    return { dW };
  });
}
