/**
 * A pre-norm transformer encoder block, self- or cross-modal (MulT, Tsai et al. 2019), with its
 * backward composed from the project's hand-written layers.
 *
 * With x [N, Lq, E] the stream being updated and, for a cross-modal block, c [N, Lk, E] the
 * other modality (queries from x, keys and values from c):
 *
 *   x̂ = LN₁(x)          ĉ = LN_c(c) for a cross-modal block, ĉ = x̂ for self-attention
 *   u = x + Dropout(MHA(x̂, ĉ, ĉ))
 *   out = u + Dropout(W₂ · ReLU(W₁ · LN₂(u) + b₁) + b₂)             (position-wise FFN)
 *
 * Backward, by the chain rule through each residual (a residual y = x + f(x) passes dy to x
 * unchanged and adds f's input gradient):
 *
 *   du = dout + LN₂ᵀ(FFNᵀ(Dropoutᵀ(dout)))
 *   dx = du + LN₁ᵀ(dq̂ [+ dk̂ + dv̂ for self-attention])
 *   dc = LN_cᵀ(dk̂ + dv̂)                          (cross-modal only)
 * where each ᵀ is that layer's hand-written backward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { Rng, randu } from '../core/random';
import { layerNormForward, layerNormBackward, LayerNormCache } from './layerNorm';
import { multiHeadAttentionForward, multiHeadAttentionBackward, MultiHeadAttentionCache } from './multiHeadAttention';
import { initMultiHeadAttentionParams, MultiHeadAttentionParams } from './multiHeadAttentionParams';
import { temporalAffineForward, temporalAffineBackward, TemporalAffineCache } from './temporal';
import { reluForward, reluBackward, ReluCache } from './relu';
import { dropoutForward, dropoutBackward, DropoutCache } from './dropout';

export type TransformerBlockParams = MultiHeadAttentionParams & {
  ln1Gamma: tf.Tensor1D;
  ln1Beta: tf.Tensor1D;
  /** The context's layer norm; present only in a cross-modal block. */
  lnCGamma?: tf.Tensor1D;
  lnCBeta?: tf.Tensor1D;
  ln2Gamma: tf.Tensor1D;
  ln2Beta: tf.Tensor1D;
  W1: tf.Tensor2D;
  b1: tf.Tensor1D;
  W2: tf.Tensor2D;
  b2: tf.Tensor1D;
};

export type TransformerBlockOptions = {
  heads: number;
  dropout?: number;
  rng?: Rng;
  training?: boolean;
  mask?: tf.Tensor | null;
};

export type TransformerBlockCache = {
  ln1: LayerNormCache;
  lnC: LayerNormCache | undefined;
  mha: MultiHeadAttentionCache;
  drop1: DropoutCache;
  ln2: LayerNormCache;
  ff1: TemporalAffineCache;
  relu: ReluCache;
  ff2: TemporalAffineCache;
  drop2: DropoutCache;
  cross: boolean;
};

/** Glorot-uniform weights, unit LN scales and zero biases for width E and FFN width F; `cross` adds LN_c. */
export function initTransformerBlockParams(
  E: number,
  F: number,
  rng: Rng,
  opts: { cross?: boolean } = {},
): TransformerBlockParams {
  checkArgs('initTransformerBlockParams')
    .number('E', E, { integer: true, min: 1 })
    .number('F', F, { integer: true, min: 1 })
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  const glorot = (a: number, b: number) =>
    randu([a, b], rng, -Math.sqrt(6 / (a + b)), Math.sqrt(6 / (a + b))) as tf.Tensor2D;
  const ones = () => tf.ones([E]) as tf.Tensor1D,
    zeros = (n: number) => tf.zeros([n]) as tf.Tensor1D;
  return {
    ...initMultiHeadAttentionParams(E, rng),
    ln1Gamma: ones(),
    ln1Beta: zeros(E),
    ...(opts.cross ? { lnCGamma: ones(), lnCBeta: zeros(E) } : {}),
    ln2Gamma: ones(),
    ln2Beta: zeros(E),
    W1: glorot(E, F),
    b1: zeros(F),
    W2: glorot(F, E),
    b2: zeros(E),
  };
}

/**
 * @param x the updated stream [N, Lq, E]
 * @param context the other modality [N, Lk, E] for a cross-modal block, or null for self-attention
 * @returns `out` [N, Lq, E], the attention `weights` [N, heads, Lq, Lk] and the `cache`
 */
export function transformerBlockForward(
  x: tf.Tensor,
  context: tf.Tensor | null,
  params: TransformerBlockParams,
  opts: TransformerBlockOptions,
): { out: tf.Tensor; weights: tf.Tensor; cache: TransformerBlockCache } {
  const cross = context !== null;
  const check = checkArgs('transformerBlockForward')
    .tensor('x', x, ['N', 'Lq', 'E'], 'float32')
    .require(
      !cross || params?.lnCGamma !== undefined,
      "argument 'params' expected lnCGamma/lnCBeta for a cross-modal " +
        'block (initTransformerBlockParams(..., { cross: true }))',
    );
  if (cross) check.tensor('context', context, ['N', 'Lk', 'E'], 'float32');
  check.tensor('params.W1', params.W1, ['E', 'F'], 'float32').tensor('params.W2', params.W2, ['F', 'E'], 'float32');
  const p = opts?.dropout ?? 0;
  return tf.tidy(() => {
    const ln1 = layerNormForward(x, params.ln1Gamma, params.ln1Beta);
    const lnC = cross ? layerNormForward(context!, params.lnCGamma!, params.lnCBeta!) : null;
    const kv = lnC ? lnC.out : ln1.out;
    const mha = multiHeadAttentionForward(ln1.out, kv, kv, params, { heads: opts.heads, mask: opts.mask });
    const drop1 = dropoutForward(mha.out, p, opts);
    const u = tf.add(x, drop1.out);
    const ln2 = layerNormForward(u, params.ln2Gamma, params.ln2Beta);
    const ff1 = temporalAffineForward(ln2.out, params.W1, params.b1);
    const relu = reluForward(ff1.out);
    const ff2 = temporalAffineForward(relu.out, params.W2, params.b2);
    const drop2 = dropoutForward(ff2.out, p, opts);
    const out = tf.add(u, drop2.out);
    const cache: TransformerBlockCache = {
      ln1: ln1.cache,
      lnC: lnC?.cache,
      mha: mha.cache,
      drop1: drop1.cache,
      ln2: ln2.cache,
      ff1: ff1.cache,
      relu: relu.cache,
      ff2: ff2.cache,
      drop2: drop2.cache,
      cross,
    };
    return { out, weights: mha.weights, cache };
  });
}

export type TransformerBlockGrads = {
  dx: tf.Tensor;
  /** The context's gradient (undefined for self-attention). */
  dcontext?: tf.Tensor;
  /** One gradient per parameter, under the parameter's own name. */
  params: Record<string, tf.Tensor>;
};

/** dout [N, Lq, E] → dx, dcontext and every parameter's gradient (see the equations above). */
export function transformerBlockBackward(dout: tf.Tensor, cache: TransformerBlockCache): TransformerBlockGrads {
  checkArgs('transformerBlockBackward')
    .require(
      cache?.mha?.dims !== undefined && cache.ln1 !== undefined,
      "argument 'cache' expected the cache returned by transformerBlockForward",
    )
    .tensor('cache.ln1.xhat', cache.ln1.xhat, ['N', 'Lq', 'E'])
    .tensor('dout', dout, ['N', 'Lq', 'E'], 'float32');
  return tf.tidy(() => {
    // FFN branch: out = u + Dropout(FFN(LN₂(u)))
    const dff2 = temporalAffineBackward(dropoutBackward(dout, cache.drop2).dx, cache.ff2);
    const dff1 = temporalAffineBackward(reluBackward(dff2.dx, cache.relu).dx, cache.ff1);
    const dln2 = layerNormBackward(dff1.dx, cache.ln2);
    const du = tf.add(dout, dln2.dx);
    // Attention branch: u = x + Dropout(MHA(LN₁(x), ĉ, ĉ))
    const dmha = multiHeadAttentionBackward(dropoutBackward(du, cache.drop1).dx, cache.mha);
    const dkv = tf.add(dmha.dk, dmha.dv);
    const dlnC = cache.lnC ? layerNormBackward(dkv, cache.lnC) : null;
    const dln1 = layerNormBackward(cache.cross ? dmha.dq : tf.add(dmha.dq, dkv), cache.ln1);
    const params: Record<string, tf.Tensor> = {
      Wq: dmha.dWq,
      bq: dmha.dbq,
      Wk: dmha.dWk,
      bk: dmha.dbk,
      Wv: dmha.dWv,
      bv: dmha.dbv,
      Wo: dmha.dWo,
      bo: dmha.dbo,
      ln1Gamma: dln1.dgamma,
      ln1Beta: dln1.dbeta,
      ln2Gamma: dln2.dgamma,
      ln2Beta: dln2.dbeta,
      W1: dff1.dw,
      b1: dff1.db,
      W2: dff2.dw,
      b2: dff2.db,
      ...(dlnC ? { lnCGamma: dlnC.dgamma, lnCBeta: dlnC.dbeta } : {}),
    };
    return { dx: tf.add(du, dln1.dx), ...(dlnC ? { dcontext: dlnC.dx } : {}), params };
  });
}
