/**
 * Attention LSTM (EECS 498 A5 style), forward and hand-derived backward.
 * Caches own their tensors (clones share data): `disposeCache(cache)` (= `tf.dispose`) after the backward (lib/layers/cache.ts).
 *
 * An LSTM whose gates also read an attention vector: at every step the previous hidden
 * state queries the spatial feature map A [N, H, P, P] ({@link dotProductAttention}) and
 * the result attn [N, H] enters the gate pre-activations through its own weights Wattn:
 *
 *   attnₜ = dotProductAttention(hₜ₋₁, A)
 *   a     = xₜ·Wx + hₜ₋₁·Wh + attnₜ·Wattn + b            [N, 4H], gates in order i, f, o, g
 *   i, f, o = σ(a_i), σ(a_f), σ(a_o)     g = tanh(a_g)
 *   cₜ = f ⊙ cₜ₋₁ + i ⊙ g                hₜ = o ⊙ tanh(cₜ)
 *   h₀ = c₀ = mean of A over the P·P positions              [N, H]
 *
 * The gate nonlinearity is the plain LSTM's ({@link lstmGatesForward} / {@link lstmGatesBackward}
 * in lstm.ts); only the pre-activation gains the attention term.
 *
 * Backward: the gate backward gives da and dcₜ₋₁; da flows to x, hₜ₋₁ and attnₜ through
 * the three matmuls, and dattnₜ flows through the attention into hₜ₋₁ and A. So dA collects
 * a term from every step plus the h₀/c₀ term (dh₀ + dc₀) / P² spread over space.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { dotProductAttention, dotProductAttentionBackward, DotProductAttentionCache } from './attention';
import { lstmGatesForward, lstmGatesBackward, LstmGatesCache } from './lstm';

export type AttentionLstmStepCache = {
  x: tf.Tensor2D;
  prevH: tf.Tensor2D;
  attn: tf.Tensor2D;
  gates: LstmGatesCache;
  WxT: tf.Tensor2D;
  WhT: tf.Tensor2D;
  WattnT: tf.Tensor2D;
};

/**
 * One attention-LSTM step.
 *
 * @param x input [N, D]
 * @param prevH previous hidden state [N, H]
 * @param prevC previous cell state [N, H]
 * @param attn attention vector for this step [N, H]
 * @param Wx input weights [D, 4H]; Wh hidden weights [H, 4H]; Wattn attention weights [H, 4H]; b bias [4H]
 * @returns `nextH`, `nextC` [N, H] and `cache`
 */
export function attentionLstmStepForward(
  x: tf.Tensor,
  prevH: tf.Tensor,
  prevC: tf.Tensor,
  attn: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  Wattn: tf.Tensor,
  b: tf.Tensor,
): { nextH: tf.Tensor2D; nextC: tf.Tensor2D; cache: AttentionLstmStepCache } {
  const { H } = checkArgs('attentionLstmStepForward')
    .tensor('x', x, ['N', 'D'], 'float32')
    .tensor('prevH', prevH, ['N', 'H'], 'float32')
    .tensor('prevC', prevC, ['N', 'H'], 'float32')
    .tensor('attn', attn, ['N', 'H'], 'float32')
    .tensor('Wx', Wx, ['D', 'G'], 'float32')
    .tensor('Wh', Wh, ['H', 'G'], 'float32')
    .tensor('Wattn', Wattn, ['H', 'G'], 'float32')
    .tensor('b', b, ['G'], 'float32').dims;
  checkArgs('attentionLstmStepForward').require(Wx.shape[1] === 4 * H, `argument 'Wx' expected shape [D, 4H=${4 * H}] but got [${Wx.shape.join(', ')}]`);
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const a = tf.add(tf.add(tf.add(tf.matMul(x, Wx), tf.matMul(prevH, Wh)), tf.matMul(attn, Wattn)), b) as tf.Tensor2D;
    const { nextH, nextC, cache: gates } = lstmGatesForward(a, prevC as tf.Tensor2D);
    // END SOLUTION
    const T = (W: tf.Tensor): tf.Tensor2D => tf.transpose(W) as tf.Tensor2D;
    const cache: AttentionLstmStepCache = {
      x: tf.clone(x) as tf.Tensor2D, prevH: tf.clone(prevH) as tf.Tensor2D, attn: tf.clone(attn) as tf.Tensor2D,
      gates, WxT: T(Wx), WhT: T(Wh), WattnT: T(Wattn),
    };
    return { nextH, nextC, cache };
  });
}

/**
 * Backward pass of {@link attentionLstmStepForward}.
 *
 * @param dnextH, dnextC upstream gradients [N, H]
 * @returns `dx` [N, D], `dprevH`, `dprevC`, `dattn` [N, H], `dWx` [D, 4H], `dWh`, `dWattn` [H, 4H], `db` [4H]
 */
export function attentionLstmStepBackward(dnextH: tf.Tensor, dnextC: tf.Tensor, cache: AttentionLstmStepCache) {
  checkArgs('attentionLstmStepBackward')
    .tensor('cache.prevH', cache.prevH, ['N', 'H'])
    .tensor('dnextH', dnextH, ['N', 'H'], 'float32')
    .tensor('dnextC', dnextC, ['N', 'H'], 'float32');
  return tf.tidy(() => {
    const { x, prevH, attn, WxT, WhT, WattnT } = cache;
    // BEGIN SOLUTION
    const { da, dprevC } = lstmGatesBackward(dnextH as tf.Tensor2D, dnextC as tf.Tensor2D, cache.gates);
    const dx = tf.matMul(da, WxT) as tf.Tensor2D;
    const dprevH = tf.matMul(da, WhT) as tf.Tensor2D;
    const dattn = tf.matMul(da, WattnT) as tf.Tensor2D;
    const dWx = tf.matMul(tf.transpose(x), da) as tf.Tensor2D;
    const dWh = tf.matMul(tf.transpose(prevH), da) as tf.Tensor2D;
    const dWattn = tf.matMul(tf.transpose(attn), da) as tf.Tensor2D;
    const db = tf.sum(da, 0) as tf.Tensor1D;
    // END SOLUTION
    return { dx, dprevH, dprevC, dattn, dWx, dWh, dWattn, db };
  });
}

export type AttentionLstmCache = {
  /** Per step: the attention's cache and the gates' cache. */
  steps: { att: DotProductAttentionCache; gates: LstmGatesCache }[];
  /** Inputs as time-major rows [T·N, D] (for dWx over all steps at once). */
  xRows: tf.Tensor2D;
  /** [hₜ₋₁, attnₜ] of every step as time-major rows [T·N, 2H] (for dWh and dWattn at once). */
  hAttnRows: tf.Tensor2D;
  /** Transposed weights for the backward: Wxᵀ [4H, D] and [Wh; Wattn]ᵀ [4H, 2H]. */
  WxT: tf.Tensor2D;
  WhAttnT: tf.Tensor2D;
  dims: { N: number; T: number; D: number; H: number; P: number };
};

/**
 * Attention LSTM over a whole sequence; h₀ = c₀ = the spatial mean of A.
 *
 * @param x inputs [N, T, D]
 * @param A feature map [N, H, P, P]
 * @param Wx [D, 4H]; Wh [H, 4H]; Wattn [H, 4H]; b [4H]
 * @returns `h` hidden states [N, T, H], `attnWeights` per-step attention maps [N, T, P, P], `cache`
 */
export function attentionLstmForward(
  x: tf.Tensor,
  A: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  Wattn: tf.Tensor,
  b: tf.Tensor,
): { h: tf.Tensor3D; attnWeights: tf.Tensor4D; cache: AttentionLstmCache } {
  const { N, T, D, H, P } = checkArgs('attentionLstmForward')
    .tensor('x', x, ['N', 'T', 'D'], 'float32')
    .tensor('A', A, ['N', 'H', 'P', 'P'], 'float32')
    .tensor('Wx', Wx, ['D', 'G'], 'float32')
    .tensor('Wh', Wh, ['H', 'G'], 'float32')
    .tensor('Wattn', Wattn, ['H', 'G'], 'float32')
    .tensor('b', b, ['G'], 'float32').dims;
  checkArgs('attentionLstmForward').require(Wx.shape[1] === 4 * H, `argument 'Wx' expected shape [D, 4H=${4 * H}] but got [${Wx.shape.join(', ')}]`);
  return tf.tidy(() => {
    // Given: x as time-major rows [T·N, D] (step t is the contiguous rows t·N … t·N + N − 1),
    // the stacked recurrent weights — [hₜ₋₁, attnₜ]·[Wh; Wattn] = hₜ₋₁·Wh + attnₜ·Wattn — and the
    // lists the backward needs: per-step caches and the per-step [hₜ₋₁, attnₜ] rows.
    const xRows = tf.reshape(tf.transpose(x, [1, 0, 2]), [T * N, D]) as tf.Tensor2D;
    const WhAttn = tf.concat([Wh, Wattn], 0);
    const steps: AttentionLstmCache['steps'] = [];
    const hAttn: tf.Tensor2D[] = [];
    // BEGIN SOLUTION
    const xW = tf.add(tf.matMul(xRows, Wx), b); // every step's x·Wx + b in one matmul
    let prevH = tf.mean(A, [2, 3]) as tf.Tensor2D;
    let prevC = prevH;
    const hs: tf.Tensor2D[] = [], maps: tf.Tensor3D[] = [];
    for (let t = 0; t < T; t++) {
      const { attn, attnWeights, cache: att } = dotProductAttention(prevH, A);
      const ha = tf.concat([prevH, attn], 1) as tf.Tensor2D;
      const { nextH, nextC, cache: gates } = lstmGatesForward(tf.add(tf.slice(xW, [t * N, 0], [N, 4 * H]), tf.matMul(ha, WhAttn)) as tf.Tensor2D, prevC);
      steps.push({ att, gates });
      hs.push(nextH);
      maps.push(attnWeights);
      hAttn.push(ha);
      [prevH, prevC] = [nextH, nextC];
    }
    const h = tf.stack(hs, 1) as tf.Tensor3D;
    const attnWeights = tf.stack(maps, 1) as tf.Tensor4D;
    // END SOLUTION
    const cache: AttentionLstmCache = {
      steps, xRows,
      hAttnRows: tf.reshape(tf.stack(hAttn, 0), [T * N, 2 * H]) as tf.Tensor2D,
      WxT: tf.transpose(Wx) as tf.Tensor2D, WhAttnT: tf.transpose(WhAttn) as tf.Tensor2D,
      dims: { N, T, D, H, P },
    };
    return { h, attnWeights, cache };
  });
}

/**
 * Backward pass of {@link attentionLstmForward}.
 *
 * @param dh upstream gradient of every hidden state [N, T, H]
 * @returns `dx` [N, T, D], `dA` [N, H, P, P] (through every step's attention and through h₀/c₀),
 *   `dWx` [D, 4H], `dWh`, `dWattn` [H, 4H], `db` [4H]
 */
export function attentionLstmBackward(dh: tf.Tensor, cache: AttentionLstmCache) {
  const { N, T, D, H, P } = cache.dims;
  checkArgs('attentionLstmBackward').tensor('dh', dh, [N, T, H], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    let dnextH = tf.zeros([N, H]) as tf.Tensor2D;
    let dnextC = tf.zeros([N, H]) as tf.Tensor2D;
    let dA = tf.zeros([N, H, P, P]) as tf.Tensor4D;
    const das: tf.Tensor2D[] = new Array(T);
    const dhRows = tf.reshape(tf.transpose(dh, [1, 0, 2]), [T * N, H]); // time-major: step t is rows t·N …
    for (let t = T - 1; t >= 0; t--) {
      const step = tf.tidy(() => {
        const dhT = tf.add(dnextH, tf.slice(dhRows, [t * N, 0], [N, H])) as tf.Tensor2D;
        const { da, dprevC } = lstmGatesBackward(dhT, dnextC, cache.steps[t].gates);
        const dha = tf.matMul(da, cache.WhAttnT); // [N, 2H] = [dhₜ₋₁ (direct), dattnₜ]
        const [dprevHDirect, dattn] = tf.split(dha, 2, 1);
        const att = dotProductAttentionBackward(dattn, cache.steps[t].att);
        return { da, dprevC, dprevH: tf.add(dprevHDirect, att.dprevH) as tf.Tensor2D, dA: tf.add(dA, att.dA) as tf.Tensor4D };
      });
      tf.dispose([dnextH, dnextC, dA]);
      [das[t], dnextH, dnextC, dA] = [step.da, step.dprevH, step.dprevC, step.dA];
    }
    // h₀ = c₀ = mean over the P·P positions: each position gets (dh₀ + dc₀) / P².
    dA = tf.add(dA, tf.reshape(tf.div(tf.add(dnextH, dnextC), P * P), [N, H, 1, 1]));
    const daRows = tf.reshape(tf.stack(das, 0), [T * N, 4 * H]); // time-major, like xRows and hAttnRows
    const dx = tf.transpose(tf.reshape(tf.matMul(daRows, cache.WxT), [T, N, D]), [1, 0, 2]) as tf.Tensor3D;
    const dWx = tf.matMul(tf.transpose(cache.xRows), daRows) as tf.Tensor2D;
    const [dWh, dWattn] = tf.split(tf.matMul(tf.transpose(cache.hAttnRows), daRows), 2, 0) as tf.Tensor2D[];
    const db = tf.sum(daRows, 0) as tf.Tensor1D;
    // END SOLUTION
    return { dx, dA, dWx, dWh, dWattn, db };
  });
}
