/**
 * LSTM (gate order i, f, o, g — as in CS231n / EECS 498): one step and a whole sequence.
 *
 *   a = xₜ·Wx + hₜ₋₁·Wh + b   [N, 4H]       hₜ, cₜ = gates(a, cₜ₋₁)   (lstmGates.ts)
 *
 * Backward: the gates give da and dcₜ₋₁ (lstmGates.ts), then through the matmuls
 *
 *   dx = da·Wxᵀ, dhₜ₋₁ = da·Whᵀ, dWx = xᵀ·da, dWh = hₜ₋₁ᵀ·da, db = Σₙ da
 *
 * Shapes: x [N, D], h, c [N, H], Wx [D, 4H], Wh [H, 4H], b [4H].
 * Caches own their tensors (clones share data): `tf.dispose(cache)` after the backward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs, ArgChecker } from '../core/validate';
import { linearGrads, matMulAT, matMulBT } from '../ops/fastOps';
import { lstmGatesBackward, lstmGatesForward, LstmGatesCache } from './lstmGates';

function checkWeights(c: ArgChecker, Wx: tf.Tensor, Wh: tf.Tensor, b: tf.Tensor): ArgChecker {
  c.tensor('Wx', Wx, ['D', 'G'], 'float32').tensor('Wh', Wh, ['H', 'G'], 'float32').tensor('b', b, ['G'], 'float32');
  return c.require(
    c.dims.G === 4 * c.dims.H,
    `argument 'Wx' expected shape [D, 4H=${4 * c.dims.H}] but got [${Wx.shape.join(', ')}]`,
  );
}

export type LstmStepCache = { x: tf.Tensor; prevH: tf.Tensor; Wx: tf.Tensor; Wh: tf.Tensor; gates: LstmGatesCache };

export function lstmStepForward(
  x: tf.Tensor,
  prevH: tf.Tensor,
  prevC: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { nextH: tf.Tensor; nextC: tf.Tensor; cache: LstmStepCache } {
  const c = checkArgs('lstmStepForward')
    .tensor('x', x, ['N', 'D'], 'float32')
    .tensor('prevH', prevH, ['N', 'H'], 'float32')
    .tensor('prevC', prevC, ['N', 'H'], 'float32');
  checkWeights(c, Wx, Wh, b);
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const a = tf.add(tf.add(tf.matMul(x, Wx), tf.matMul(prevH, Wh)), b) as tf.Tensor2D;
    const { nextH, nextC, cache: gates } = lstmGatesForward(a, prevC as tf.Tensor2D);
    // END SOLUTION
    return {
      nextH,
      nextC,
      cache: { x: tf.clone(x), prevH: tf.clone(prevH), Wx: tf.clone(Wx), Wh: tf.clone(Wh), gates },
    };
  });
}

export function lstmStepBackward(
  dnextH: tf.Tensor,
  dnextC: tf.Tensor,
  cache: LstmStepCache,
): { dx: tf.Tensor; dprevH: tf.Tensor; dprevC: tf.Tensor; dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } {
  checkArgs('lstmStepBackward')
    .tensor('cache.prevH', cache?.prevH, ['N', 'H'])
    .tensor('dnextH', dnextH, ['N', 'H'], 'float32')
    .tensor('dnextC', dnextC, ['N', 'H'], 'float32');
  const { x, prevH, Wx, Wh, gates } = cache;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const { da, dprevC } = lstmGatesBackward(dnextH as tf.Tensor2D, dnextC as tf.Tensor2D, gates);
    const dx = matMulBT(da, Wx); // da·Wxᵀ
    const dprevH = matMulBT(da, Wh); // da·Whᵀ
    const dWx = matMulAT(x, da); // xᵀ·da
    const dWh = matMulAT(prevH, da); // hₜ₋₁ᵀ·da
    const db = tf.sum(da, 0);
    // END SOLUTION
    return { dx, dprevH, dprevC, dWx, dWh, db };
  });
}

export type LstmCache = {
  /** x in time-major rows [T·N, D] (row t·N + n is x[n, t]). */
  xRows: tf.Tensor;
  /** hₜ₋₁ of every step in time-major rows [T·N, H] (h0 first). */
  hPrevRows: tf.Tensor;
  steps: LstmGatesCache[];
  WxT: tf.Tensor;
  WhT: tf.Tensor;
  dims: { N: number; T: number; D: number; H: number };
};

/**
 * x [N, T, D], h0 [N, H] (c0 = 0), Wx [D, 4H], Wh [H, 4H], b [4H] → h [N, T, H].
 *
 * Speed note (wasm): slicing a large tensor costs ~1.8 ms per [64, 1024] slice there, so
 * rather than one big x·Wx followed by T slices, each step gathers its small xₜ [N, D] from
 * a time-major copy of x. The weight gradients in the backward are one product over all
 * T·N rows ({@link linearGrads}).
 */
export function lstmForward(
  x: tf.Tensor,
  h0: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { h: tf.Tensor; cache: LstmCache } {
  const c = checkArgs('lstmForward').tensor('x', x, ['N', 'T', 'D'], 'float32').tensor('h0', h0, ['N', 'H'], 'float32');
  const { N, T, D, H } = checkWeights(c, Wx, Wh, b).dims;
  return tf.tidy(() => {
    // Given: x in time-major order (xₜ = gather(xTime, t)), and the lists of hidden states and
    // per-step gate caches to fill.
    const xTime = tf.transpose(x, [1, 0, 2]); // [T, N, D]
    const hs: tf.Tensor[] = [];
    const steps: LstmGatesCache[] = [];
    // BEGIN SOLUTION
    let prevH = h0;
    let prevC = tf.zeros([N, H]);
    for (let t = 0; t < T; t++) {
      const a = tf.add(tf.add(tf.matMul(tf.gather(xTime, t), Wx), tf.matMul(prevH, Wh)), b) as tf.Tensor2D;
      const { nextH, nextC, cache } = lstmGatesForward(a, prevC as tf.Tensor2D);
      hs.push(nextH);
      steps.push(cache);
      [prevH, prevC] = [nextH, nextC];
    }
    const h = tf.stack(hs, 1);
    // END SOLUTION
    const xRows = tf.reshape(xTime, [T * N, D]);
    const hPrevRows = tf.concat([h0, ...hs.slice(0, T - 1)], 0);
    return {
      h,
      cache: { xRows, hPrevRows, steps, WxT: tf.transpose(Wx), WhT: tf.transpose(Wh), dims: { N, T, D, H } },
    };
  });
}

/** dh [N, T, H] → { dx [N, T, D], dh0 [N, H], dWx [D, 4H], dWh [H, 4H], db [4H] }. */
export function lstmBackward(
  dh: tf.Tensor,
  cache: LstmCache,
): { dx: tf.Tensor; dh0: tf.Tensor; dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } {
  checkArgs('lstmBackward').require(
    cache?.dims !== undefined,
    "argument 'cache' expected the cache returned by lstmForward",
  );
  const { N, T, D, H } = cache.dims;
  checkArgs('lstmBackward')
    .tensor('cache.hPrevRows', cache.hPrevRows, [T * N, H])
    .require(
      Array.isArray(cache.steps) && cache.steps.length === T,
      "argument 'cache' expected the cache returned by lstmForward (gate caches per step)",
    )
    .tensor('dh', dh, [N, T, H], 'float32');
  const { xRows, hPrevRows, steps, WxT, WhT } = cache;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dhTime = tf.transpose(dh, [1, 0, 2]); // [T, N, H]
    const das: tf.Tensor[] = new Array(T);
    let dnextH: tf.Tensor = tf.zeros([N, H]);
    let dnextC: tf.Tensor = tf.zeros([N, H]);
    for (let t = T - 1; t >= 0; t--) {
      const { da, dprevC } = lstmGatesBackward(
        tf.add(tf.gather(dhTime, t), dnextH) as tf.Tensor2D,
        dnextC as tf.Tensor2D,
        steps[t],
      );
      das[t] = da;
      dnextH = tf.matMul(da, WhT);
      dnextC = dprevC;
    }
    const daRows = tf.concat(das, 0); // [T·N, 4H], time-major like xRows
    const dx = tf.transpose(tf.reshape(tf.matMul(daRows, WxT), [T, N, D]), [1, 0, 2]);
    // dWx = xᵀ·da, dWh = hₜ₋₁ᵀ·da, db = Σ da, summed over all T·N rows at once
    const {
      dW: [dWx, dWh],
      db,
    } = linearGrads([xRows, hPrevRows], daRows);
    // END SOLUTION
    return { dx, dh0: dnextH, dWx, dWh, db };
  });
}
