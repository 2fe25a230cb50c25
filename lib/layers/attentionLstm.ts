/**
 * Attention LSTM over a sequence (EECS 498 A5 style), forward and hand-derived backward.
 *
 * An LSTM whose gates also read an attention vector: at every step the previous hidden
 * state queries the spatial feature map A [N, H, P, P] ({@link dotProductAttention}) and
 * the result attn [N, H] enters the gate pre-activations through its own weights Wattn:
 *
 *   attnₜ = dotProductAttention(hₜ₋₁, A)
 *   a     = xₜ·Wx + hₜ₋₁·Wh + attnₜ·Wattn + b            [N, 4H], gates in order i, f, o, g
 *   hₜ, cₜ = gates(a, cₜ₋₁)                                (lstmGates.ts)
 *   h₀ = c₀ = mean of A over the P·P positions              [N, H]
 *
 * Backward: the gate backward gives da and dcₜ₋₁; da flows to x, hₜ₋₁ and attnₜ through
 * the three matmuls (attentionLstmStep.ts), and dattnₜ flows through the attention into hₜ₋₁
 * and A. So dA collects a term from every step plus the h₀/c₀ term (dh₀ + dc₀) / P² spread
 * over space. Caches own their tensors: `disposeCache(cache)` after the backward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkCache } from './cache';
import { linearGrads } from '../ops/fastOps';
import { lstmGatesBackward, lstmGatesForward, LstmGatesCache } from './lstmGates';
import { dotProductAttention, dotProductAttentionBackward, DotProductAttentionCache } from './spatialAttention';

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
  checkArgs('attentionLstmForward').require(
    Wx.shape[1] === 4 * H,
    `argument 'Wx' expected shape [D, 4H=${4 * H}] but got [${Wx.shape.join(', ')}]`,
  );
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
    const hs: tf.Tensor2D[] = [],
      maps: tf.Tensor3D[] = [];
    for (let t = 0; t < T; t++) {
      const { attn, attnWeights, cache: att } = dotProductAttention(prevH, A);
      const ha = tf.concat([prevH, attn], 1) as tf.Tensor2D;
      const {
        nextH,
        nextC,
        cache: gates,
      } = lstmGatesForward(tf.add(tf.slice(xW, [t * N, 0], [N, 4 * H]), tf.matMul(ha, WhAttn)) as tf.Tensor2D, prevC);
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
      steps,
      xRows,
      hAttnRows: tf.reshape(tf.stack(hAttn, 0), [T * N, 2 * H]) as tf.Tensor2D,
      WxT: tf.transpose(Wx) as tf.Tensor2D,
      WhAttnT: tf.transpose(WhAttn) as tf.Tensor2D,
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
  checkCache('attentionLstmBackward', cache, 'attentionLstmForward', [
    'steps',
    'xRows',
    'hAttnRows',
    'WxT',
    'WhAttnT',
    'dims',
  ]);
  const { N, T, D, H, P } = cache.dims;
  checkArgs('attentionLstmBackward')
    .tensor('cache.xRows', cache.xRows, [T * N, D])
    .tensor('cache.hAttnRows', cache.hAttnRows, [T * N, 2 * H])
    .require(
      Array.isArray(cache.steps) && cache.steps.length === T,
      "argument 'cache' expected the cache returned by attentionLstmForward (one entry per step)",
    )
    .tensor('dh', dh, [N, T, H], 'float32');
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
        return {
          da,
          dprevC,
          dprevH: tf.add(dprevHDirect, att.dprevH) as tf.Tensor2D,
          dA: tf.add(dA, att.dA) as tf.Tensor4D,
        };
      });
      tf.dispose([dnextH, dnextC, dA]);
      [das[t], dnextH, dnextC, dA] = [step.da, step.dprevH, step.dprevC, step.dA];
    }
    // h₀ = c₀ = mean over the P·P positions: each position gets (dh₀ + dc₀) / P².
    dA = tf.add(dA, tf.reshape(tf.div(tf.add(dnextH, dnextC), P * P), [N, H, 1, 1]));
    const daRows = tf.reshape(tf.stack(das, 0), [T * N, 4 * H]); // time-major, like xRows and hAttnRows
    const dx = tf.transpose(tf.reshape(tf.matMul(daRows, cache.WxT), [T, N, D]), [1, 0, 2]) as tf.Tensor3D;
    // dWx = xᵀ·da, [dWh; dWattn] = [hₜ₋₁, attnₜ]ᵀ·da, db = Σ da, over all T·N rows at once
    const {
      dW: [dWx, dWhAttn],
      db,
    } = linearGrads([cache.xRows, cache.hAttnRows], daRows);
    const [dWh, dWattn] = tf.split(dWhAttn, 2, 0) as tf.Tensor2D[];
    // END SOLUTION
    return { dx, dA, dWx: dWx as tf.Tensor2D, dWh, dWattn, db: db as tf.Tensor1D };
  });
}
