/**
 * Gated recurrent unit (GRU; Cho et al. 2014), in the "reset after" form that cuDNN and
 * PyTorch use: the reset gate scales the recurrent term *after* its matmul, so the three
 * recurrent matmuls are one [N, H]·[H, 3H].
 *
 * One step, with x [N, D], hₜ₋₁ [N, H], Wx [D, 3H], Wh [H, 3H], b [3H] split into the
 * reset (r), update (z) and candidate (n) blocks of H columns each:
 *   a = x·Wx + b,  g = hₜ₋₁·Wh                         (a, g: [N, 3H])
 *   r = σ(a_r + g_r),  z = σ(a_z + g_z)
 *   n = tanh(a_n + r ⊙ g_n)
 *   hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁
 *
 * Its backward, given dhₜ:
 *   dn = dhₜ ⊙ (1 − z),   dz = dhₜ ⊙ (hₜ₋₁ − n)
 *   dâ_n = dn ⊙ (1 − n²)                    (the candidate's pre-activation)
 *   dr = dâ_n ⊙ g_n,       dg_n = dâ_n ⊙ r
 *   dâ_r = dr ⊙ r(1 − r),  dâ_z = dz ⊙ z(1 − z)
 *   dA = [dâ_r, dâ_z, dâ_n]  (gradient of a),   dG = [dâ_r, dâ_z, dg_n]  (gradient of g)
 *   dx = dA·Wxᵀ,  dhₜ₋₁ = dhₜ ⊙ z + dG·Whᵀ,  dWx = xᵀ·dA,  dWh = hₜ₋₁ᵀ·dG,  db = Σₙ dA.
 * The gradient reaches hₜ₋₁ along two roads: directly through the z-weighted carry (the
 * GRU's counterpart of the LSTM's cell road) and through the three gates' matmul.
 *
 * Caches own their tensors (see cache.ts): `disposeCache(cache)` after the backward.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { matMulAT, tanh } from '../ops/fastOps';

/** What one GRU step keeps for its backward. */
export type GruStepCache = {
  x: tf.Tensor;
  prevH: tf.Tensor;
  WxT: tf.Tensor;
  WhT: tf.Tensor;
  r: tf.Tensor;
  z: tf.Tensor;
  n: tf.Tensor;
  /** The candidate's recurrent term hₜ₋₁·Wh_n, before the reset gate scales it. */
  gn: tf.Tensor;
};

/** The three gate blocks of a [N, 3H] tensor, in the order r, z, n. */
function splitGates(t: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [r, z, n] = tf.split(t, 3, 1);
  return [r, z, n];
}

/** Checks a GRU's arguments (x is [N, D] for a step, [N, T, D] for a sequence); returns its dims. */
function checkGruArgs(
  fn: string,
  x: tf.Tensor,
  xSpec: string[],
  prevH: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
) {
  const c = checkArgs(fn)
    .tensor('x', x, xSpec, 'float32')
    .tensor(xSpec.length === 2 ? 'prevH' : 'h0', prevH, ['N', 'H'], 'float32');
  const H = c.dims.H;
  return c
    .tensor('Wx', Wx, ['D', 3 * H], 'float32')
    .tensor('Wh', Wh, ['H', 3 * H], 'float32')
    .tensor('b', b, [3 * H], 'float32').dims;
}

/** x [N, D], prevH [N, H], Wx [D, 3H], Wh [H, 3H], b [3H] → nextH [N, H] and the step's cache. */
export function gruStepForward(
  x: tf.Tensor,
  prevH: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { nextH: tf.Tensor; cache: GruStepCache } {
  checkGruArgs('gruStepForward', x, ['N', 'D'], prevH, Wx, Wh, b);
  return tf.tidy(() => gruStep(x, prevH, tf.transpose(Wx), tf.transpose(Wh), Wx, Wh, b));
}

/** The step shared by gruStepForward and gruForward (weights passed with their transposes). */
function gruStep(
  x: tf.Tensor,
  prevH: tf.Tensor,
  WxT: tf.Tensor,
  WhT: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { nextH: tf.Tensor; cache: GruStepCache } {
  const [ar, az, an] = splitGates(tf.add(tf.matMul(x, Wx), b));
  const [gr, gz, gn] = splitGates(tf.matMul(prevH, Wh));
  const r = tf.sigmoid(tf.add(ar, gr));
  const z = tf.sigmoid(tf.add(az, gz));
  const n = tanh(tf.add(an, tf.mul(r, gn)));
  const nextH = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, prevH));
  return {
    nextH,
    cache: { x: tf.clone(x), prevH: tf.clone(prevH), WxT: tf.clone(WxT), WhT: tf.clone(WhT), r, z, n, gn },
  };
}

/** dnextH [N, H] → { dx [N, D], dprevH [N, H], dWx [D, 3H], dWh [H, 3H], db [3H] }. */
export function gruStepBackward(
  dnextH: tf.Tensor,
  cache: GruStepCache,
): { dx: tf.Tensor; dprevH: tf.Tensor; dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } {
  checkArgs('gruStepBackward')
    .require(
      cache?.gn instanceof tf.Tensor && !cache.gn.isDisposed,
      "argument 'cache' expected the live cache returned by gruStepForward",
    )
    .tensor('cache.prevH', cache.prevH, ['N', 'H'])
    .tensor('dnextH', dnextH, ['N', 'H'], 'float32');
  return tf.tidy(() => {
    const { dA, dG, dprevDirect } = gateGradients(dnextH, cache);
    const dx = tf.matMul(dA, cache.WxT);
    const dprevH = tf.add(dprevDirect, tf.matMul(dG, cache.WhT));
    const dWx = matMulAT(cache.x, dA); // xᵀ·dA
    const dWh = matMulAT(cache.prevH, dG); // hₜ₋₁ᵀ·dG
    return { dx, dprevH, dWx, dWh, db: tf.sum(dA, 0) };
  });
}

/**
 * The gradients of one step's pre-activations: dA of a = x·Wx + b and dG of g = hₜ₋₁·Wh
 * (both [N, 3H]), and the direct part dhₜ ⊙ z of dhₜ₋₁.
 */
function gateGradients(dnextH: tf.Tensor, c: GruStepCache): { dA: tf.Tensor; dG: tf.Tensor; dprevDirect: tf.Tensor } {
  const dn = tf.mul(dnextH, tf.sub(1, c.z));
  const dz = tf.mul(dnextH, tf.sub(c.prevH, c.n));
  const dan = tf.mul(dn, tf.sub(1, tf.square(c.n)));
  const dr = tf.mul(dan, c.gn);
  const dgn = tf.mul(dan, c.r);
  const dar = tf.mul(dr, tf.mul(c.r, tf.sub(1, c.r)));
  const daz = tf.mul(dz, tf.mul(c.z, tf.sub(1, c.z)));
  const dA = tf.concat([dar, daz, dan], 1);
  const dG = tf.concat([dar, daz, dgn], 1);
  const dprevDirect = tf.mul(dnextH, c.z);
  return { dA, dG, dprevDirect };
}

/** What gruForward keeps: every step's cache, in time order. */
export type GruCache = { steps: GruStepCache[]; dims: { N: number; T: number; D: number; H: number } };

/**
 * x [N, T, D], h0 [N, H], Wx [D, 3H], Wh [H, 3H], b [3H] → h [N, T, H] (every step's hidden
 * state). Backprop through time sums each step's weight gradients; dhₜ₋₁ of step t joins the
 * upstream gradient of step t − 1.
 */
export function gruForward(
  x: tf.Tensor,
  h0: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { h: tf.Tensor; cache: GruCache } {
  const { N, T, D, H } = checkGruArgs('gruForward', x, ['N', 'T', 'D'], h0, Wx, Wh, b);
  return tf.tidy(() => {
    const xTime = tf.transpose(x, [1, 0, 2]); // [T, N, D]: xₜ = gather(xTime, t)
    const WxT = tf.transpose(Wx),
      WhT = tf.transpose(Wh);
    const steps: GruStepCache[] = [];
    const hs: tf.Tensor[] = [];
    let prevH = h0;
    for (let t = 0; t < T; t++) {
      const { nextH, cache } = gruStep(tf.gather(xTime, t), prevH, WxT, WhT, Wx, Wh, b);
      steps.push(cache);
      hs.push(nextH);
      prevH = nextH;
    }
    return { h: tf.stack(hs, 1), cache: { steps, dims: { N, T, D, H } } };
  });
}

/**
 * dh [N, T, H] → { dx [N, T, D], dh0 [N, H], dWx [D, 3H], dWh [H, 3H], db [3H] }.
 * Only dhₜ₋₁ has to run step by step; the weight gradients are sums over steps, so they are
 * one matmul over all T·N rows once every step's dA and dG is known.
 */
export function gruBackward(
  dh: tf.Tensor,
  cache: GruCache,
): { dx: tf.Tensor; dh0: tf.Tensor; dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } {
  checkArgs('gruBackward').require(
    cache?.dims !== undefined &&
      Array.isArray(cache.steps) &&
      cache.steps.length === cache.dims.T &&
      cache.steps.every((s) => s.gn instanceof tf.Tensor && !s.gn.isDisposed),
    "argument 'cache' expected the live cache returned by gruForward",
  );
  const { N, T, D, H } = cache.dims;
  checkArgs('gruBackward').tensor('dh', dh, [N, T, H], 'float32');
  const { steps } = cache;
  return tf.tidy(() => {
    const dhTime = tf.transpose(dh, [1, 0, 2]); // [T, N, H]
    const dAs: tf.Tensor[] = new Array(T),
      dGs: tf.Tensor[] = new Array(T);
    let dnext: tf.Tensor = tf.zeros([N, H]);
    for (let t = T - 1; t >= 0; t--) {
      const { dA, dG, dprevDirect } = gateGradients(tf.add(tf.gather(dhTime, t), dnext), steps[t]);
      dAs[t] = dA;
      dGs[t] = dG;
      dnext = tf.add(dprevDirect, tf.matMul(dG, steps[t].WhT));
    }
    const dARows = tf.concat(dAs, 0),
      dGRows = tf.concat(dGs, 0); // [T·N, 3H], time-major
    const xRows = tf.concat(
      steps.map((s) => s.x),
      0,
    ); // [T·N, D]
    const hPrevRows = tf.concat(
      steps.map((s) => s.prevH),
      0,
    ); // [T·N, H]
    const dx = tf.transpose(tf.reshape(tf.matMul(dARows, steps[0].WxT), [T, N, D]), [1, 0, 2]);
    const dWx = matMulAT(xRows, dARows); // Σₜ xₜᵀ·dAₜ
    const dWh = matMulAT(hPrevRows, dGRows); // Σₜ hₜ₋₁ᵀ·dGₜ
    return { dx, dh0: dnext, dWx, dWh, db: tf.sum(dARows, 0) };
  });
}
