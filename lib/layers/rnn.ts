/**
 * Vanilla (Elman) RNN.
 *
 * One step:      hₜ = tanh(xₜ·Wx + hₜ₋₁·Wh + b)
 *                x [N, D], hₜ₋₁ [N, H], Wx [D, H], Wh [H, H], b [H] → hₜ [N, H]
 * Its backward:  with da = dhₜ ⊙ (1 − hₜ²)   (tanh′(a) = 1 − tanh²(a)),
 *                dx = da·Wxᵀ, dhₜ₋₁ = da·Whᵀ, dWx = xᵀ·da, dWh = hₜ₋₁ᵀ·da, db = Σₙ da.
 *
 * Over a sequence (backprop through time) the gradient reaching hₜ is the upstream dh[:, t]
 * plus what flows back from step t+1 through Wh; the weight gradients are sums over steps,
 * so they are computed with one matmul over all N·T rows once every da is known.
 *
 * tanh and the transposed products are lib/ops/fastOps.ts's (same values, faster on wasm).
 * Caches own their tensors (clones share data): `tf.dispose(cache)` after the backward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { linearGrads, matMulAT, matMulBT, tanh } from '../ops/fastOps';

export type RnnStepCache = { x: tf.Tensor; prevH: tf.Tensor; Wx: tf.Tensor; Wh: tf.Tensor; nextH: tf.Tensor };

export function rnnStepForward(
  x: tf.Tensor,
  prevH: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { nextH: tf.Tensor; cache: RnnStepCache } {
  checkArgs('rnnStepForward')
    .tensor('x', x, ['N', 'D'], 'float32')
    .tensor('prevH', prevH, ['N', 'H'], 'float32')
    .tensor('Wx', Wx, ['D', 'H'], 'float32')
    .tensor('Wh', Wh, ['H', 'H'], 'float32')
    .tensor('b', b, ['H'], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const nextH = tanh(tf.add(tf.add(tf.matMul(x, Wx), tf.matMul(prevH, Wh)), b));
    // END SOLUTION
    return {
      nextH,
      cache: { x: tf.clone(x), prevH: tf.clone(prevH), Wx: tf.clone(Wx), Wh: tf.clone(Wh), nextH: tf.clone(nextH) },
    };
  });
}

export function rnnStepBackward(
  dnextH: tf.Tensor,
  cache: RnnStepCache,
): { dx: tf.Tensor; dprevH: tf.Tensor; dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } {
  checkArgs('rnnStepBackward')
    .tensor('cache.nextH', cache?.nextH, ['N', 'H'])
    .tensor('dnextH', dnextH, ['N', 'H'], 'float32');
  const { x, prevH, Wx, Wh, nextH } = cache;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const da = tf.mul(dnextH, tf.sub(1, tf.square(nextH)));
    const dx = matMulBT(da, Wx); // da·Wxᵀ
    const dprevH = matMulBT(da, Wh); // da·Whᵀ
    const dWx = matMulAT(x, da); // xᵀ·da
    const dWh = matMulAT(prevH, da); // hₜ₋₁ᵀ·da
    const db = tf.sum(da, 0);
    // END SOLUTION
    return { dx, dprevH, dWx, dWh, db };
  });
}

export type RnnCache = {
  /** x in time-major rows [T·N, D]. */
  xRows: tf.Tensor;
  h0: tf.Tensor;
  /** Hidden state of every step, each [N, H]. */
  hs: tf.Tensor[];
  WxT: tf.Tensor;
  WhT: tf.Tensor;
  dims: { N: number; T: number; D: number; H: number };
};

/**
 * x [N, T, D], h0 [N, H], Wx [D, H], Wh [H, H], b [H] → h [N, T, H] (every step's hidden state).
 * Each step gathers its xₜ from a time-major copy of x (slicing large tensors is slow on
 * wasm); the backward's weight gradients are one matmul over all T·N rows.
 */
export function rnnForward(
  x: tf.Tensor,
  h0: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { h: tf.Tensor; cache: RnnCache } {
  const { N, T, D, H } = checkArgs('rnnForward')
    .tensor('x', x, ['N', 'T', 'D'], 'float32')
    .tensor('h0', h0, ['N', 'H'], 'float32')
    .tensor('Wx', Wx, ['D', 'H'], 'float32')
    .tensor('Wh', Wh, ['H', 'H'], 'float32')
    .tensor('b', b, ['H'], 'float32').dims;
  return tf.tidy(() => {
    // Given: x in time-major order (xₜ = gather(xTime, t)), and the list of hidden states to fill.
    const xTime = tf.transpose(x, [1, 0, 2]); // [T, N, D]
    const hs: tf.Tensor[] = [];
    // BEGIN SOLUTION
    let prevH = h0;
    for (let t = 0; t < T; t++) {
      prevH = tanh(tf.add(tf.add(tf.matMul(tf.gather(xTime, t), Wx), tf.matMul(prevH, Wh)), b));
      hs.push(prevH);
    }
    const h = tf.stack(hs, 1);
    // END SOLUTION
    const xRows = tf.reshape(xTime, [T * N, D]);
    return {
      h,
      cache: { xRows, h0: tf.clone(h0), hs, WxT: tf.transpose(Wx), WhT: tf.transpose(Wh), dims: { N, T, D, H } },
    };
  });
}

/** dh [N, T, H] → { dx [N, T, D], dh0 [N, H], dWx [D, H], dWh [H, H], db [H] }. */
export function rnnBackward(
  dh: tf.Tensor,
  cache: RnnCache,
): { dx: tf.Tensor; dh0: tf.Tensor; dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } {
  checkArgs('rnnBackward').require(
    cache?.dims !== undefined,
    "argument 'cache' expected the cache returned by rnnForward",
  );
  const { N, T, D, H } = cache.dims;
  checkArgs('rnnBackward')
    .tensor('cache.xRows', cache.xRows, [T * N, D])
    .require(
      Array.isArray(cache.hs) && cache.hs.length === T,
      "argument 'cache' expected the cache returned by rnnForward (hidden states per step)",
    )
    .tensor('dh', dh, [N, T, H], 'float32');
  const { xRows, h0, hs, WxT, WhT } = cache;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dhTime = tf.transpose(dh, [1, 0, 2]); // [T, N, H]
    const das: tf.Tensor[] = new Array(T);
    let dnext: tf.Tensor = tf.zeros([N, H]);
    for (let t = T - 1; t >= 0; t--) {
      das[t] = tf.mul(tf.add(tf.gather(dhTime, t), dnext), tf.sub(1, tf.square(hs[t])));
      dnext = tf.matMul(das[t], WhT);
    }
    const daRows = tf.concat(das, 0); // [T·N, H], time-major like xRows
    const hPrevRows = tf.concat([h0, ...hs.slice(0, T - 1)], 0);
    const dx = tf.transpose(tf.reshape(tf.matMul(daRows, WxT), [T, N, D]), [1, 0, 2]);
    // dWx = xᵀ·da, dWh = hₜ₋₁ᵀ·da, db = Σ da, summed over all T·N rows at once
    const {
      dW: [dWx, dWh],
      db,
    } = linearGrads([xRows, hPrevRows], daRows);
    // END SOLUTION
    return { dx, dh0: dnext, dWx, dWh, db };
  });
}
