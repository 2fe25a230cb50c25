/**
 * The parameters of multi-head attention (multiHeadAttention.ts) and how the model width E
 * is cut into heads: n_h = `heads` heads of width d_head = `dHead` = E / n_h, stacked on the
 * batch axis.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { Rng, randu } from '../core/random';

export type MultiHeadAttentionParams = {
  Wq: tf.Tensor2D;
  bq: tf.Tensor1D;
  Wk: tf.Tensor2D;
  bk: tf.Tensor1D;
  Wv: tf.Tensor2D;
  bv: tf.Tensor1D;
  Wo: tf.Tensor2D;
  bo: tf.Tensor1D;
};

export type MultiHeadAttentionGrads = {
  dq: tf.Tensor3D;
  dk: tf.Tensor3D;
  dv: tf.Tensor3D;
  dWq: tf.Tensor2D;
  dbq: tf.Tensor1D;
  dWk: tf.Tensor2D;
  dbk: tf.Tensor1D;
  dWv: tf.Tensor2D;
  dbv: tf.Tensor1D;
  dWo: tf.Tensor2D;
  dbo: tf.Tensor1D;
};

export const MHA_PARAM_NAMES = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;

/**
 * Glorot-uniform projection matrices [E, E] (U(±√(6 / 2E))) and zero biases [E], drawn from `rng`.
 */
export function initMultiHeadAttentionParams(E: number, rng: Rng): MultiHeadAttentionParams {
  checkArgs('initMultiHeadAttentionParams')
    .number('E', E, { integer: true, min: 1 })
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  const limit = Math.sqrt(6 / (2 * E));
  const W = (): tf.Tensor2D => randu([E, E], rng, -limit, limit) as tf.Tensor2D;
  const b = (): tf.Tensor1D => tf.zeros([E]) as tf.Tensor1D;
  return { Wq: W(), bq: b(), Wk: W(), bk: b(), Wv: W(), bv: b(), Wo: W(), bo: b() };
}

/** [N·L, E] rows → [N·heads, L, dHead] (the heads stacked on the batch axis). */
export function splitHeads(rows: tf.Tensor, N: number, L: number, heads: number, dHead: number): tf.Tensor3D {
  checkArgs('splitHeads').tensor('rows', rows, [N * L, heads * dHead], 'float32');
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(rows, [N, L, heads, dHead]), [0, 2, 1, 3]), [N * heads, L, dHead]),
  );
}

/** [N·heads, L, dHead] → [N·L, E] rows (inverse of {@link splitHeads}). */
export function mergeHeads(x: tf.Tensor, N: number, L: number, heads: number, dHead: number): tf.Tensor2D {
  checkArgs('mergeHeads').tensor('x', x, [N * heads, L, dHead], 'float32');
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(x, [N, heads, L, dHead]), [0, 2, 1, 3]), [N * L, heads * dHead]),
  );
}
