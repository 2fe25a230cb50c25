/**
 * LSTM (gate order i, f, o, g — as in CS231n / EECS 498).
 *
 * One step, with pre-activations a = xₜ·Wx + hₜ₋₁·Wh + b   [N, 4H] split into aᵢ, a_f, aₒ, a_g:
 *
 *   i = σ(aᵢ)  f = σ(a_f)  o = σ(aₒ)  g = tanh(a_g)
 *   cₜ = f ⊙ cₜ₋₁ + i ⊙ g          hₜ = o ⊙ tanh(cₜ)
 *
 * Backward, with dcₜ the total gradient reaching the cell (its own plus dhₜ ⊙ o ⊙ (1 − tanh²cₜ)):
 *
 *   daᵢ = dcₜ ⊙ g ⊙ i(1 − i)        da_f = dcₜ ⊙ cₜ₋₁ ⊙ f(1 − f)
 *   daₒ = dhₜ ⊙ tanh(cₜ) ⊙ o(1 − o)   da_g = dcₜ ⊙ i ⊙ (1 − g²)
 *   dcₜ₋₁ = dcₜ ⊙ f                  (the "gradient highway": only a multiply by f)
 *   dx = da·Wxᵀ, dhₜ₋₁ = da·Whᵀ, dWx = xᵀ·da, dWh = hₜ₋₁ᵀ·da, db = Σₙ da
 *
 * Shapes: x [N, D], h, c [N, H], Wx [D, 4H], Wh [H, 4H], b [4H].
 * Caches own their tensors (clones share data): `tf.dispose(cache)` after the backward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs, ArgChecker } from '../core/validate';

/**
 * tanh(x) = 2σ(2x) − 1, the same function computed through the sigmoid: on the wasm backend
 * the sigmoid kernel is vectorised and its tanh is not (≈ 0.03 ms vs ≈ 0.3 ms on [64, 256]),
 * and the LSTM takes two tanh per step. Accurate to float32 round-off (|error| ≲ 1e-7).
 */
export function tanhViaSigmoid(x: tf.Tensor2D): tf.Tensor2D {
  checkArgs('tanhViaSigmoid').tensor('x', x, ['N', 'H'], 'float32');
  return tf.tidy(() => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1) as tf.Tensor2D);
}

/** What the gate backward needs from one step. */
export type LstmGatesCache = { i: tf.Tensor2D; f: tf.Tensor2D; o: tf.Tensor2D; g: tf.Tensor2D; prevC: tf.Tensor2D; tanhC: tf.Tensor2D };

/** The gate nonlinearity: pre-activations a [N, 4H] and cₜ₋₁ [N, H] → hₜ, cₜ. Shared by every LSTM variant. */
export function lstmGatesForward(a: tf.Tensor2D, prevC: tf.Tensor2D): { nextH: tf.Tensor2D; nextC: tf.Tensor2D; cache: LstmGatesCache } {
  const c = checkArgs('lstmGatesForward').tensor('prevC', prevC, ['N', 'H'], 'float32').tensor('a', a, ['N', 'G'], 'float32');
  c.require(c.dims.G === 4 * c.dims.H, `argument 'a' expected shape [N, 4H=${4 * c.dims.H}] but got [${a.shape.join(', ')}]`);
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const [ai, af, ao, ag] = tf.split(a, 4, 1) as tf.Tensor2D[];
    const [i, f, o, g] = [tf.sigmoid(ai), tf.sigmoid(af), tf.sigmoid(ao), tanhViaSigmoid(ag)];
    const nextC = tf.add(tf.mul(f, prevC), tf.mul(i, g)) as tf.Tensor2D;
    const tanhC = tanhViaSigmoid(nextC);
    const nextH = tf.mul(o, tanhC) as tf.Tensor2D;
    // END SOLUTION
    return { nextH, nextC, cache: { i, f, o, g, prevC: tf.clone(prevC), tanhC } };
  });
}

/** Backward of {@link lstmGatesForward}: dhₜ, dcₜ [N, H] → da [N, 4H], dcₜ₋₁ [N, H]. */
export function lstmGatesBackward(dnextH: tf.Tensor2D, dnextC: tf.Tensor2D, c: LstmGatesCache): { da: tf.Tensor2D; dprevC: tf.Tensor2D } {
  checkArgs('lstmGatesBackward').tensor('cache.prevC', c?.prevC, ['N', 'H']).tensor('dnextH', dnextH, ['N', 'H'], 'float32').tensor('dnextC', dnextC, ['N', 'H'], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dC = tf.add(dnextC, tf.mul(tf.mul(dnextH, c.o), tf.sub(1, tf.square(c.tanhC))));
    const di = tf.mul(tf.mul(dC, c.g), tf.mul(c.i, tf.sub(1, c.i)));
    const df = tf.mul(tf.mul(dC, c.prevC), tf.mul(c.f, tf.sub(1, c.f)));
    const dO = tf.mul(tf.mul(dnextH, c.tanhC), tf.mul(c.o, tf.sub(1, c.o)));
    const dg = tf.mul(tf.mul(dC, c.i), tf.sub(1, tf.square(c.g)));
    const da = tf.concat([di, df, dO, dg], 1) as tf.Tensor2D;
    const dprevC = tf.mul(dC, c.f) as tf.Tensor2D;
    // END SOLUTION
    return { da, dprevC };
  });
}

function checkWeights(c: ArgChecker, Wx: tf.Tensor, Wh: tf.Tensor, b: tf.Tensor): ArgChecker {
  c.tensor('Wx', Wx, ['D', 'G'], 'float32').tensor('Wh', Wh, ['H', 'G'], 'float32').tensor('b', b, ['G'], 'float32');
  return c.require(c.dims.G === 4 * c.dims.H, `argument 'Wx' expected shape [D, 4H=${4 * c.dims.H}] but got [${Wx.shape.join(', ')}]`);
}

export type LstmStepCache = { x: tf.Tensor; prevH: tf.Tensor; Wx: tf.Tensor; Wh: tf.Tensor; gates: LstmGatesCache };

export function lstmStepForward(
  x: tf.Tensor, prevH: tf.Tensor, prevC: tf.Tensor, Wx: tf.Tensor, Wh: tf.Tensor, b: tf.Tensor,
): { nextH: tf.Tensor; nextC: tf.Tensor; cache: LstmStepCache } {
  const c = checkArgs('lstmStepForward').tensor('x', x, ['N', 'D'], 'float32').tensor('prevH', prevH, ['N', 'H'], 'float32').tensor('prevC', prevC, ['N', 'H'], 'float32');
  checkWeights(c, Wx, Wh, b);
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const a = tf.add(tf.add(tf.matMul(x, Wx), tf.matMul(prevH, Wh)), b) as tf.Tensor2D;
    const { nextH, nextC, cache: gates } = lstmGatesForward(a, prevC as tf.Tensor2D);
    // END SOLUTION
    return { nextH, nextC, cache: { x: tf.clone(x), prevH: tf.clone(prevH), Wx: tf.clone(Wx), Wh: tf.clone(Wh), gates } };
  });
}

export function lstmStepBackward(
  dnextH: tf.Tensor, dnextC: tf.Tensor, cache: LstmStepCache,
): { dx: tf.Tensor; dprevH: tf.Tensor; dprevC: tf.Tensor; dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } {
  checkArgs('lstmStepBackward').tensor('cache.prevH', cache?.prevH, ['N', 'H']).tensor('dnextH', dnextH, ['N', 'H'], 'float32').tensor('dnextC', dnextC, ['N', 'H'], 'float32');
  const { x, prevH, Wx, Wh, gates } = cache;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const { da, dprevC } = lstmGatesBackward(dnextH as tf.Tensor2D, dnextC as tf.Tensor2D, gates);
    const dx = tf.matMul(da, tf.transpose(Wx));
    const dprevH = tf.matMul(da, tf.transpose(Wh));
    const dWx = tf.matMul(tf.transpose(x), da);
    const dWh = tf.matMul(tf.transpose(prevH), da);
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
 * Speed notes (wasm): slicing a large tensor costs ~1.8 ms per [64, 1024] slice there, so
 * rather than one big x·Wx followed by T slices, each step gathers its small xₜ [N, D] from
 * a time-major copy of x and does two matmuls with the same right-hand weights. The weight
 * gradients in the backward are still one matmul over all T·N rows.
 */
export function lstmForward(x: tf.Tensor, h0: tf.Tensor, Wx: tf.Tensor, Wh: tf.Tensor, b: tf.Tensor): { h: tf.Tensor; cache: LstmCache } {
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
    return { h, cache: { xRows, hPrevRows, steps, WxT: tf.transpose(Wx), WhT: tf.transpose(Wh), dims: { N, T, D, H } } };
  });
}

/** dh [N, T, H] → { dx [N, T, D], dh0 [N, H], dWx [D, 4H], dWh [H, 4H], db [4H] }. */
export function lstmBackward(dh: tf.Tensor, cache: LstmCache): { dx: tf.Tensor; dh0: tf.Tensor; dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } {
  checkArgs('lstmBackward').require(cache?.dims !== undefined, "argument 'cache' expected the cache returned by lstmForward");
  const { N, T, D, H } = cache.dims;
  checkArgs('lstmBackward')
    .tensor('cache.hPrevRows', cache.hPrevRows, [T * N, H])
    .require(Array.isArray(cache.steps) && cache.steps.length === T, "argument 'cache' expected the cache returned by lstmForward (gate caches per step)")
    .tensor('dh', dh, [N, T, H], 'float32');
  const { xRows, hPrevRows, steps, WxT, WhT } = cache;
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dhTime = tf.transpose(dh, [1, 0, 2]); // [T, N, H]
    const das: tf.Tensor[] = new Array(T);
    let dnextH: tf.Tensor = tf.zeros([N, H]);
    let dnextC: tf.Tensor = tf.zeros([N, H]);
    for (let t = T - 1; t >= 0; t--) {
      const { da, dprevC } = lstmGatesBackward(tf.add(tf.gather(dhTime, t), dnextH) as tf.Tensor2D, dnextC as tf.Tensor2D, steps[t]);
      das[t] = da;
      dnextH = tf.matMul(da, WhT);
      dnextC = dprevC;
    }
    const daRows = tf.concat(das, 0); // [T·N, 4H], time-major like xRows
    const dx = tf.transpose(tf.reshape(tf.matMul(daRows, WxT), [T, N, D]), [1, 0, 2]);
    // Xᵀ·dA computed as (dAᵀ·X)ᵀ: wasm repacks a matmul's right-hand operand on every call,
    // and X [T·N, D] is 8× smaller than dA [T·N, 4H]; the bias sum runs along dAᵀ's rows.
    const daT = tf.transpose(daRows); // [4H, T·N]
    const dWx = tf.transpose(tf.matMul(daT, xRows));
    const dWh = tf.transpose(tf.matMul(daT, hPrevRows));
    const db = tf.sum(daT, 1);
    // END SOLUTION
    return { dx, dh0: dnextH, dWx, dWh, db };
  });
}
