/**
 * One attention-LSTM step (EECS 498 A5 style), forward and hand-derived backward, with the
 * attention vector attnₜ given (attentionLstm.ts computes it from hₜ₋₁ and the feature map):
 *
 *   a = xₜ·Wx + hₜ₋₁·Wh + attnₜ·Wattn + b            [N, 4H], gates in order i, f, o, g
 *   hₜ, cₜ = gates(a, cₜ₋₁)                          (lstmGates.ts)
 *
 * Backward: the gates give da and dcₜ₋₁, then through the three matmuls
 *
 *   dx = da·Wxᵀ   dhₜ₋₁ = da·Whᵀ   dattnₜ = da·Wattnᵀ
 *   dWx = xᵀ·da   dWh = hₜ₋₁ᵀ·da   dWattn = attnₜᵀ·da   db = Σₙ da
 *
 * The cache owns its tensors (clones share data): `disposeCache(cache)` after the backward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkCache } from './cache';
import { matMulAT } from '../ops/fastOps';
import { lstmGatesBackward, lstmGatesForward, LstmGatesCache } from './lstmGates';

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
  checkArgs('attentionLstmStepForward').require(
    Wx.shape[1] === 4 * H,
    `argument 'Wx' expected shape [D, 4H=${4 * H}] but got [${Wx.shape.join(', ')}]`,
  );
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const a = tf.add(tf.add(tf.add(tf.matMul(x, Wx), tf.matMul(prevH, Wh)), tf.matMul(attn, Wattn)), b) as tf.Tensor2D;
    const { nextH, nextC, cache: gates } = lstmGatesForward(a, prevC as tf.Tensor2D);
    // END SOLUTION
    const T = (W: tf.Tensor): tf.Tensor2D => tf.transpose(W) as tf.Tensor2D;
    const cache: AttentionLstmStepCache = {
      x: tf.clone(x) as tf.Tensor2D,
      prevH: tf.clone(prevH) as tf.Tensor2D,
      attn: tf.clone(attn) as tf.Tensor2D,
      gates,
      WxT: T(Wx),
      WhT: T(Wh),
      WattnT: T(Wattn),
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
  checkCache('attentionLstmStepBackward', cache, 'attentionLstmStepForward', [
    'x',
    'prevH',
    'attn',
    'gates',
    'WxT',
    'WhT',
    'WattnT',
  ]);
  checkArgs('attentionLstmStepBackward')
    .tensor('cache.prevH', cache.prevH, ['N', 'H'])
    .tensor('dnextH', dnextH, ['N', 'H'], 'float32')
    .tensor('dnextC', dnextC, ['N', 'H'], 'float32');
  return tf.tidy(() => {
    const { x, prevH, attn, WxT, WhT, WattnT } = cache;
    // BEGIN SOLUTION
    const { da, dprevC } = lstmGatesBackward(dnextH as tf.Tensor2D, dnextC as tf.Tensor2D, cache.gates);
    const dx = tf.matMul(da, WxT) as tf.Tensor2D; // da·Wxᵀ
    const dprevH = tf.matMul(da, WhT) as tf.Tensor2D; // da·Whᵀ
    const dattn = tf.matMul(da, WattnT) as tf.Tensor2D; // da·Wattnᵀ
    const dWx = matMulAT(x, da) as tf.Tensor2D; // xᵀ·da
    const dWh = matMulAT(prevH, da) as tf.Tensor2D; // hₜ₋₁ᵀ·da
    const dWattn = matMulAT(attn, da) as tf.Tensor2D; // attnₜᵀ·da
    const db = tf.sum(da, 0) as tf.Tensor1D;
    // END SOLUTION
    return { dx, dprevH, dprevC, dattn, dWx, dWh, dWattn, db };
  });
}
