/**
 * Unsorted segment sum, the op behind the `UnsortedSegmentSum` kernel that tfjs-backend-wasm 4.22
 * lacks (kernels/unsortedSegmentSum.ts registers it) and of the embedding backward. tfjs's
 * gradient of `tf.gather` (embeddings, per-step gathers) calls it, so without it autodiff through
 * any gather throws on wasm.
 *
 *   out[s, ...] = Σ_{k : ids[k] = s} x[k, ...]      x [K, ...], ids int32 [K] → out [S, ...]
 *
 * computed as one scatter-add (`tf.scatterND` sums repeated indices). Ids outside [0, S) are
 * dropped, as in TensorFlow: they are sent to an extra row S that is cut off afterwards.
 * (The first version, onehot(ids)ᵀ · x as one [S, K]·[K, rest] matmul, costs O(S·K·rest):
 * for K = 3200 rows of 256 it took 267 ms at S = 1000 and 4.7 s at S = 10000 on wasm, against
 * 1.5 ms and 17 ms for the scatter.)
 */
import * as tf from '@tensorflow/tfjs';

export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const k = segmentIds.size;
    const rest = x.shape.slice(segmentIds.rank);
    const rows = tf.reshape(tf.cast(x, 'float32'), [k, ...rest]);
    const ids = tf.reshape(tf.cast(segmentIds, 'int32'), [k]);
    const S = tf.scalar(numSegments, 'int32');
    const valid = tf.logicalAnd(tf.greaterEqual(ids, tf.scalar(0, 'int32')), tf.less(ids, S));
    const target = tf.where(valid, ids, tf.fill([k], numSegments, 'int32'));
    const summed = tf.scatterND(tf.reshape(target, [k, 1]), rows, [numSegments + 1, ...rest]);
    return tf.slice(summed, 0, numSegments);
  });
}
