/**
 * Multi-head attention with its input and output projections, forward and hand-derived backward.
 *
 * With E the model width, n_h heads (`opts.heads`) of width d_head = E / n_h (`dHead`;
 * notebook 03 uses the same symbols):
 *
 *   Q = q·Wq + bq,  K = k·Wk + bk,  V = v·Wv + bv          [N, L, E]
 *   split each into the heads                                [N·n_h, L, d_head]
 *   Oᵢ = softmax(Qᵢ·Kᵢᵀ / √d_head) · Vᵢ   (per head, masked) [N·n_h, Lq, d_head]
 *   out = concat(O₁ … O_{n_h})·Wo + bo                       [N, Lq, E]
 *
 * Backward: through the output projection (dWo = Oᵀ·dout, dbo = Σ dout, dO = dout·Woᵀ),
 * then every head at once through {@link scaledDotProductAttentionBackward} (the heads are
 * a batch dimension), then through the three input projections the same way as Wo.
 * For self-attention (q = k = v) the caller adds dq + dk + dv.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkCache } from './cache';
import { linearGrads } from '../ops/fastOps';
import {
  MHA_PARAM_NAMES,
  mergeHeads,
  MultiHeadAttentionGrads,
  MultiHeadAttentionParams,
  splitHeads,
} from './multiHeadAttentionParams';
import {
  attentionMaskToBool,
  scaledDotProductAttention,
  scaledDotProductAttentionBackward,
  ScaledDotProductAttentionCache,
} from './scaledDotProductAttention';

/**
 * What the backward needs (owned by the cache: `disposeCache(cache)`
 * (= `tf.dispose`) after the backward (lib/layers/cache.ts)).
 */
export type MultiHeadAttentionCache = {
  /** Inputs flattened to rows [N·L, E]. */
  qRows: tf.Tensor2D;
  kRows: tf.Tensor2D;
  vRows: tf.Tensor2D;
  /** The concatenated head outputs [N·Lq, E] (the input of the output projection). */
  concat: tf.Tensor2D;
  /** The per-head attention (heads stacked on the batch axis). */
  heads: ScaledDotProductAttentionCache;
  /** Transposed projection matrices [E, E], used by the backward. */
  WqT: tf.Tensor2D;
  WkT: tf.Tensor2D;
  WvT: tf.Tensor2D;
  WoT: tf.Tensor2D;
  dims: { N: number; Lq: number; Lk: number; E: number; heads: number };
};

/**
 * @param q queries [N, Lq, E]
 * @param k keys [N, Lk, E]
 * @param v values [N, Lk, E]
 * @param params projections Wq, Wk, Wv, Wo [E, E] and biases bq, bk, bv, bo [E]
 * @param opts `heads` (E must be divisible by it); `mask` [N, Lq, Lk] or [N, 1, Lk], shared by all heads
 * @returns `out` [N, Lq, E], `weights` [N, heads, Lq, Lk], `cache`
 */
export function multiHeadAttentionForward(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  params: MultiHeadAttentionParams,
  opts: { heads: number; mask?: tf.Tensor | null },
): { out: tf.Tensor3D; weights: tf.Tensor4D; cache: MultiHeadAttentionCache } {
  const check = checkArgs('multiHeadAttentionForward')
    .tensor('q', q, ['N', 'Lq', 'E'], 'float32')
    .tensor('k', k, ['N', 'Lk', 'E'], 'float32')
    .tensor('v', v, ['N', 'Lk', 'E'], 'float32');
  for (const name of MHA_PARAM_NAMES)
    check.tensor(`params.${name}`, params?.[name], name.startsWith('W') ? ['E', 'E'] : ['E'], 'float32');
  const { N, Lq, Lk, E } = check.dims;
  const heads = opts?.heads;
  check
    .number('opts.heads', heads, { integer: true, min: 1 })
    .require(E % heads === 0, `model width E=${E} must be divisible by heads=${heads}`);
  const dHead = E / heads;
  return tf.tidy(() => {
    const allowed = attentionMaskToBool('multiHeadAttentionForward', opts.mask, N, Lq, Lk);
    // BEGIN SOLUTION
    const qRows = tf.reshape(q, [N * Lq, E]) as tf.Tensor2D;
    const kRows = tf.reshape(k, [N * Lk, E]) as tf.Tensor2D;
    const vRows = tf.reshape(v, [N * Lk, E]) as tf.Tensor2D;
    const Qh = splitHeads(tf.add(tf.matMul(qRows, params.Wq), params.bq), N, Lq, heads, dHead);
    const Kh = splitHeads(tf.add(tf.matMul(kRows, params.Wk), params.bk), N, Lk, heads, dHead);
    const Vh = splitHeads(tf.add(tf.matMul(vRows, params.Wv), params.bv), N, Lk, heads, dHead);
    // The mask is the same for every head: repeat it along the head axis.
    const headMask = allowed
      ? tf.reshape(tf.tile(tf.expandDims(allowed, 1), [1, heads, 1, 1]), [N * heads, allowed.shape[1] as number, Lk])
      : null;
    const att = scaledDotProductAttention(Qh, Kh, Vh, headMask);
    const concat = mergeHeads(att.out, N, Lq, heads, dHead);
    const out = tf.reshape(tf.add(tf.matMul(concat, params.Wo), params.bo), [N, Lq, E]) as tf.Tensor3D;
    const weights = tf.reshape(att.weights, [N, heads, Lq, Lk]) as tf.Tensor4D;
    // END SOLUTION
    const T = (W: tf.Tensor2D): tf.Tensor2D => tf.transpose(W) as tf.Tensor2D;
    const cache: MultiHeadAttentionCache = {
      qRows,
      kRows,
      vRows,
      concat,
      heads: att.cache,
      WqT: T(params.Wq),
      WkT: T(params.Wk),
      WvT: T(params.Wv),
      WoT: T(params.Wo),
      dims: { N, Lq, Lk, E, heads },
    };
    return { out, weights, cache };
  });
}

/**
 * Backward pass of {@link multiHeadAttentionForward}.
 *
 * @param dout upstream gradient [N, Lq, E]
 * @returns input gradients `dq` [N, Lq, E], `dk`, `dv` [N, Lk, E]; parameter gradients
 *   `dWq`, `dWk`, `dWv`, `dWo` [E, E] and `dbq`, `dbk`, `dbv`, `dbo` [E]
 */
export function multiHeadAttentionBackward(dout: tf.Tensor, cache: MultiHeadAttentionCache): MultiHeadAttentionGrads {
  checkCache('multiHeadAttentionBackward', cache, 'multiHeadAttentionForward', [
    'qRows',
    'kRows',
    'vRows',
    'concat',
    'heads',
    'WqT',
    'WkT',
    'WvT',
    'WoT',
    'dims',
  ]);
  const { N, Lq, Lk, E, heads } = cache.dims;
  checkArgs('multiHeadAttentionBackward')
    .tensor('cache.qRows', cache.qRows, [N * Lq, E])
    .tensor('cache.kRows', cache.kRows, [N * Lk, E])
    .tensor('cache.concat', cache.concat, [N * Lq, E])
    .tensor('dout', dout, [N, Lq, E], 'float32');
  const dHead = E / heads;
  return tf.tidy(() => {
    const { qRows, kRows, vRows, concat, WqT, WkT, WvT, WoT } = cache;
    // BEGIN SOLUTION
    // A projection y = x·W + b: dW = xᵀ·dy, db = Σ_rows dy, dx = dy·Wᵀ.
    const project = (x: tf.Tensor2D, dy: tf.Tensor2D, WT: tf.Tensor2D) => {
      const {
        dW: [dW],
        db,
      } = linearGrads([x], dy);
      return { dW: dW as tf.Tensor2D, db: db as tf.Tensor1D, dx: tf.matMul(dy, WT) as tf.Tensor2D };
    };
    const o = project(concat, tf.reshape(dout, [N * Lq, E]) as tf.Tensor2D, WoT);
    const { dQ, dK, dV } = scaledDotProductAttentionBackward(splitHeads(o.dx, N, Lq, heads, dHead), cache.heads);
    const pq = project(qRows, mergeHeads(dQ, N, Lq, heads, dHead), WqT);
    const pk = project(kRows, mergeHeads(dK, N, Lk, heads, dHead), WkT);
    const pv = project(vRows, mergeHeads(dV, N, Lk, heads, dHead), WvT);
    // END SOLUTION
    return {
      dq: tf.reshape(pq.dx, [N, Lq, E]) as tf.Tensor3D,
      dk: tf.reshape(pk.dx, [N, Lk, E]) as tf.Tensor3D,
      dv: tf.reshape(pv.dx, [N, Lk, E]) as tf.Tensor3D,
      dWq: pq.dW,
      dbq: pq.db,
      dWk: pk.dW,
      dbk: pk.db,
      dWv: pv.dW,
      dbv: pv.db,
      dWo: o.dW,
      dbo: o.db,
    };
  });
}
