/**
 * Location-sensitive attention (Chorowski et al. 2015), as Tacotron 2 uses it: one decoder
 * step, forward and hand-derived backward.
 *
 * Shapes: N utterances, L encoder steps, query width Dq, memory width De, attention width A,
 * C location channels (Tacotron 2: the previous and the cumulative attention weights), F
 * location filters of odd width k.
 *
 *   q = s·W_q                                   query s [N, Dq] → [N, A]
 *   f = conv1d(α_prev, filters, same padding)   α_prev [N, L, C] → [N, L, F]
 *   pre_i = q + V hᵢ + U fᵢ + b                 V h: the processed memory [N, L, A] (computed once per utterance)
 *   eᵢ = wᵀ tanh(preᵢ)                          energies [N, L]
 *   α = softmax(e) over the visible steps       alignment [N, L]
 *   c = Σᵢ αᵢ hᵢ                                context [N, De]
 *
 * Backward, given dc [N, De] and dα [N, L] (the alignment also feeds the next step's location
 * features):
 *   dαᵢ ← dαᵢ + ⟨dc, hᵢ⟩,          dhᵢ = αᵢ · dc
 *   deᵢ = αᵢ (dαᵢ − Σⱼ αⱼ dαⱼ)      (softmax backward; masked steps have αᵢ = 0, so deᵢ = 0)
 *   dpreᵢ = deᵢ · w ⊙ (1 − tanh²(preᵢ)),   dw = Σₙᵢ deᵢ tanh(preᵢ)
 *   dq = Σᵢ dpreᵢ,  ds = dq·W_qᵀ,  dW_q = sᵀ·dq,  d(Vh) = dpre,  db = Σₙᵢ dpreᵢ
 *   dU = Σ fᵢᵀ dpreᵢ,  df = dpre·Uᵀ,  then the convolution's backward gives dfilters and dα_prev.
 * The location term is what lets the energies see where attention was: a filter that
 * responds to the cumulative weights just behind the current peak pushes attention forward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { linearGrads, matMulBT, tanh } from '../ops/fastOps';
import { Rng, randu } from '../core/random';
import {
  Conv1dCache,
  concatConv1dCaches,
  conv1dSameForward,
  conv1dSameInputBackward,
  conv1dSameWeightBackward,
} from './conv1d';
import { maskedSoftmax } from './scaledDotProductAttention';

export type LocationAttentionParams = {
  /** Query projection [Dq, A]. */
  Wq: tf.Tensor2D;
  /** Location filters [k, C, F] (k odd). */
  filters: tf.Tensor3D;
  /** Location projection [F, A]. */
  U: tf.Tensor2D;
  /** Energy vector [A]. */
  w: tf.Tensor1D;
  /** Bias [A]. */
  b: tf.Tensor1D;
};

export type LocationAttentionCache = {
  query: tf.Tensor;
  memory: tf.Tensor;
  alignment: tf.Tensor;
  tanhPre: tf.Tensor;
  loc: tf.Tensor;
  conv: Conv1dCache;
  Wq: tf.Tensor;
  U: tf.Tensor;
  w: tf.Tensor;
  dims: { N: number; L: number; De: number; A: number; C: number; F: number; k: number };
};

/** Glorot-uniform Wq [Dq, A], U [F, A], filters [k, C, F] and w [A]; zero bias. */
export function initLocationAttentionParams(
  sizes: { queryDim: number; attentionDim: number; channels: number; filters: number; kernel: number },
  rng: Rng,
): LocationAttentionParams {
  const { queryDim: Dq, attentionDim: A, channels: C, filters: F, kernel: k } = sizes ?? ({} as never);
  checkArgs('initLocationAttentionParams')
    .number('sizes.queryDim', Dq, { integer: true, min: 1 })
    .number('sizes.attentionDim', A, { integer: true, min: 1 })
    .number('sizes.channels', C, { integer: true, min: 1 })
    .number('sizes.filters', F, { integer: true, min: 1 })
    .number('sizes.kernel', k, { integer: true, min: 1 })
    .require(k % 2 === 1, `argument 'sizes.kernel' expected an odd width but got ${k}`)
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  const glorot = (shape: number[], fanIn: number, fanOut: number) =>
    randu(shape, rng, -Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut)));
  return {
    Wq: glorot([Dq, A], Dq, A) as tf.Tensor2D,
    filters: glorot([k, C, F], k * C, F) as tf.Tensor3D,
    U: glorot([F, A], F, A) as tf.Tensor2D,
    w: glorot([A], A, 1) as tf.Tensor1D,
    b: tf.zeros([A]) as tf.Tensor1D,
  };
}

/**
 * @param query s [N, Dq]; @param memory h [N, L, De]; @param processedMemory V·h [N, L, A]
 * @param prevAlignments α_prev [N, L, C]; @param mask [N, L] (nonzero = a real encoder step) or null
 * @returns context [N, De], alignment [N, L] and the cache
 */
export function locationAttentionForward(
  query: tf.Tensor,
  memory: tf.Tensor,
  processedMemory: tf.Tensor,
  prevAlignments: tf.Tensor,
  params: LocationAttentionParams,
  mask: tf.Tensor | null = null,
): { context: tf.Tensor; alignment: tf.Tensor; cache: LocationAttentionCache } {
  const check = checkArgs('locationAttentionForward')
    .tensor('query', query, ['N', 'Dq'], 'float32')
    .tensor('memory', memory, ['N', 'L', 'De'], 'float32')
    .tensor('processedMemory', processedMemory, ['N', 'L', 'A'], 'float32')
    .tensor('prevAlignments', prevAlignments, ['N', 'L', 'C'], 'float32')
    .tensor('params.Wq', params?.Wq, ['Dq', 'A'], 'float32')
    .tensor('params.filters', params.filters, ['k', 'C', 'F'], 'float32')
    .tensor('params.U', params.U, ['F', 'A'], 'float32')
    .tensor('params.w', params.w, ['A'], 'float32')
    .tensor('params.b', params.b, ['A'], 'float32');
  if (mask) check.tensor('mask', mask, ['N', 'L']);
  const { N, L, De, A, C, F, k } = check.require(
    check.dims.k % 2 === 1,
    `argument 'params.filters' expected an odd width k but got ${check.dims.k}`,
  ).dims;
  return tf.tidy(() => {
    const conv = conv1dSameForward(prevAlignments, params.filters, null); // f [N, L, F]
    const loc = tf.reshape(conv.out, [N * L, F]);
    const q = tf.matMul(query, params.Wq); // [N, A]
    const pre = tf.add(
      tf.add(tf.add(tf.expandDims(q, 1), processedMemory), tf.reshape(tf.matMul(loc, params.U), [N, L, A])),
      params.b,
    );
    const tanhPre = tanh(pre);
    const energies = tf.reshape(tf.matMul(tf.reshape(tanhPre, [N * L, A]), tf.reshape(params.w, [A, 1])), [N, L]);
    const alignment = maskedSoftmax(energies, mask ? tf.notEqual(mask, 0) : null);
    const context = tf.sum(tf.mul(tf.expandDims(alignment, 2), memory), 1); // Σᵢ αᵢ hᵢ [N, De]
    const cache: LocationAttentionCache = {
      query: tf.clone(query),
      memory: tf.clone(memory),
      alignment: tf.clone(alignment),
      tanhPre,
      loc,
      conv: conv.cache,
      Wq: tf.clone(params.Wq),
      U: tf.clone(params.U),
      w: tf.clone(params.w),
      dims: { N, L, De, A, C, F, k },
    };
    return { context, alignment, cache };
  });
}

export type LocationAttentionGrads = {
  dquery: tf.Tensor;
  dmemory: tf.Tensor;
  dprocessedMemory: tf.Tensor;
  dprevAlignments: tf.Tensor;
  dWq: tf.Tensor;
  dfilters: tf.Tensor;
  dU: tf.Tensor;
  dw: tf.Tensor;
  db: tf.Tensor;
};

/** What the weight gradients of one step are made of (kept per step, summed over steps at once). */
export type LocationAttentionWeightTerms = { dq: tf.Tensor; dpre: tf.Tensor; de: tf.Tensor; dloc: tf.Tensor };

function checkLiveCache(fn: string, cache: LocationAttentionCache): void {
  checkArgs(fn).require(
    cache?.dims !== undefined && cache.tanhPre instanceof tf.Tensor && !cache.tanhPre.isDisposed,
    "argument 'cache' expected the live cache returned by locationAttentionForward",
  );
}

/**
 * The part of the backward that the previous decoder step needs: the gradients of the inputs,
 * and the step's terms of the weight gradients (for {@link locationAttentionWeightsBackward}).
 * `prepared` (W_qᵀ [A, Dq], Uᵀ [A, F], the flipped filters): a caller that runs many steps with
 * the same weights prepares them once and passes them here — on wasm a product with a fresh right
 * operand (a per-step transpose or copy) costs several times one with an operand it has seen.
 */
export function locationAttentionInputsBackward(
  dcontext: tf.Tensor,
  dalignment: tf.Tensor,
  cache: LocationAttentionCache,
  prepared?: { WqT: tf.Tensor; UT: tf.Tensor; flippedFilters: tf.Tensor },
): Pick<LocationAttentionGrads, 'dquery' | 'dmemory' | 'dprocessedMemory' | 'dprevAlignments'> & {
  terms: LocationAttentionWeightTerms;
} {
  checkLiveCache('locationAttentionInputsBackward', cache);
  const { N, L, De, A, F } = cache.dims;
  checkArgs('locationAttentionInputsBackward')
    .tensor('dcontext', dcontext, [N, De], 'float32')
    .tensor('dalignment', dalignment, [N, L], 'float32');
  if (prepared)
    checkArgs('locationAttentionInputsBackward')
      .tensor('prepared.WqT', prepared.WqT, [A, cache.Wq.shape[0] as number], 'float32')
      .tensor('prepared.UT', prepared.UT, [A, F], 'float32');
  const { memory, alignment, tanhPre, w } = cache;
  return tf.tidy(() => {
    const times = (x: tf.Tensor, W: tf.Tensor, WT?: tf.Tensor) => (WT ? tf.matMul(x, WT) : matMulBT(x, W));
    const dmemory = tf.mul(tf.expandDims(alignment, 2), tf.expandDims(dcontext, 1)); // αᵢ · dc
    const dalpha = tf.add(dalignment, tf.sum(tf.mul(memory, tf.expandDims(dcontext, 1)), 2)); // + ⟨dc, hᵢ⟩
    const de = tf.mul(alignment, tf.sub(dalpha, tf.sum(tf.mul(alignment, dalpha), 1, true)));
    const dpre = tf.mul(tf.mul(tf.expandDims(de, 2), w), tf.sub(1, tf.square(tanhPre))); // [N, L, A]
    const dq = tf.sum(dpre, 1); // [N, A]
    const dloc = tf.reshape(times(tf.reshape(dpre, [N * L, A]), cache.U, prepared?.UT), [N, L, F]);
    return {
      dquery: times(dq, cache.Wq, prepared?.WqT),
      dmemory,
      dprocessedMemory: dpre,
      dprevAlignments: conv1dSameInputBackward(dloc, cache.conv, prepared?.flippedFilters),
      terms: { dq, dpre, de, dloc },
    };
  });
}

/**
 * The weight gradients summed over any number of steps (their caches and terms in the same
 * order), each one product over all the steps' rows:
 *   dW_q = Σ sᵀ·dq    dU = Σ fᵀ·dpre    db = Σ dpre    dw = Σ de·tanh(pre)    dfilters: one convolution backward
 */
export function locationAttentionWeightsBackward(
  caches: readonly LocationAttentionCache[],
  terms: readonly LocationAttentionWeightTerms[],
): Pick<LocationAttentionGrads, 'dWq' | 'dfilters' | 'dU' | 'dw' | 'db'> {
  checkArgs('locationAttentionWeightsBackward').require(
    Array.isArray(caches) && caches.length > 0 && Array.isArray(terms) && terms.length === caches.length,
    'arguments caches and terms expected one entry per step, in the same order',
  );
  caches.forEach((c) => checkLiveCache('locationAttentionWeightsBackward', c));
  const { A } = caches[0].dims;
  return tf.tidy(() => {
    const rows = (xs: tf.Tensor[], width: number) => tf.reshape(tf.concat(xs, 0), [-1, width]);
    const dpre = rows(
      terms.map((t) => t.dpre),
      A,
    );
    const query = linearGrads([tf.concat(caches.map((c) => c.query))], tf.concat(terms.map((t) => t.dq)));
    const locRows = rows(
      caches.map((c) => c.loc),
      caches[0].dims.F,
    );
    const dU = tf.matMul(tf.transpose(locRows), dpre); // Σ fᵀ·dpre (the narrow f transposed)
    const db = tf.sum(tf.concat(terms.map((t) => t.dq)), 0); // Σ dpre = Σ over steps of dq
    const tanhRows = rows(
      caches.map((c) => c.tanhPre),
      A,
    );
    const deRow = tf.reshape(tf.concat(terms.map((t) => t.de)), [1, -1]);
    const dw = tf.reshape(tf.matMul(deRow, tanhRows), [A]); // Σ de·tanh(pre)
    const convCache = caches.length === 1 ? caches[0].conv : concatConv1dCaches(caches.map((c) => c.conv));
    const filters = conv1dSameWeightBackward(tf.concat(terms.map((t) => t.dloc)), convCache);
    return { dWq: query.dW[0], dfilters: filters.dW, dU, dw, db };
  });
}

/** dcontext [N, De] and dalignment [N, L] (zeros when the alignment feeds nothing) → every gradient. */
export function locationAttentionBackward(
  dcontext: tf.Tensor,
  dalignment: tf.Tensor,
  cache: LocationAttentionCache,
): LocationAttentionGrads {
  checkLiveCache('locationAttentionBackward', cache);
  return tf.tidy(() => {
    const { terms, ...inputs } = locationAttentionInputsBackward(dcontext, dalignment, cache);
    return { ...inputs, ...locationAttentionWeightsBackward([cache], [terms]) };
  });
}
