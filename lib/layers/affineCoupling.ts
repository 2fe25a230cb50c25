/**
 * Affine coupling layer of a RealNVP normalizing flow (Dinh et al., 2017): forward, exact
 * inverse, log-determinant and the hand-derived backward.
 *
 * A binary mask b [D] keeps some coordinates; the others are scaled and shifted by amounts
 * computed from the kept ones only (m = 1 − b, x_b = b ⊙ x):
 *
 *   h = ReLU(x_b·W₁ + b₁)            [N, F]   (the conditioner network)
 *   s = tanh(h·W_s + b_s),  t = h·W_t + b_t      [N, D]   (tanh bounds the log-scale)
 *   y = x_b + m ⊙ (x ⊙ exp(s) + t)
 *   log|det ∂y/∂x| = Σ_d m_d s_d      [N]
 *
 * The Jacobian is triangular (y_b depends on x_b alone, y_m on x_m only through the diagonal
 * exp(s)), so its determinant is the product of its diagonal — which is why the log-det is a
 * sum. The inverse needs no inverse of the network: x_b = y_b gives s and t again, then
 * x = y_b + m ⊙ (y − t) ⊙ exp(−s).
 *
 * Backward, given dy [N, D] and dlogdet [N]:
 *   ds = m ⊙ (dy ⊙ x ⊙ exp(s) + dlogdet),   dt = m ⊙ dy
 *   dâ_s = ds ⊙ (1 − s²);  dh = dâ_s·W_sᵀ + dt·W_tᵀ;  dâ₁ = dh ⊙ [â₁ > 0]
 *   dx = b ⊙ dy + m ⊙ dy ⊙ exp(s) + b ⊙ (dâ₁·W₁ᵀ)
 *   dW_s = hᵀ·dâ_s, dW_t = hᵀ·dt, dW₁ = x_bᵀ·dâ₁, and the biases sum their rows.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { matMulAT, tanh } from '../ops/fastOps';
import { Rng, randn } from '../core/random';

export type AffineCouplingParams = {
  W1: tf.Tensor2D;
  b1: tf.Tensor1D;
  Ws: tf.Tensor2D;
  bs: tf.Tensor1D;
  Wt: tf.Tensor2D;
  bt: tf.Tensor1D;
};

export type AffineCouplingCache = {
  x: tf.Tensor;
  keep: tf.Tensor;
  pre1: tf.Tensor;
  h: tf.Tensor;
  s: tf.Tensor;
  expS: tf.Tensor;
  W1T: tf.Tensor;
  WsT: tf.Tensor;
  WtT: tf.Tensor;
};

/**
 * Conditioner weights for width D and hidden width F: small Gaussian W₁ (std 1/√D), zero s/t nets
 * (the layer starts as the identity).
 */
export function initAffineCouplingParams(D: number, F: number, rng: Rng): AffineCouplingParams {
  checkArgs('initAffineCouplingParams')
    .number('D', D, { integer: true, min: 1 })
    .number('F', F, { integer: true, min: 1 })
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  return {
    W1: randn([D, F], rng, 1 / Math.sqrt(D)) as tf.Tensor2D,
    b1: tf.zeros([F]) as tf.Tensor1D,
    Ws: tf.zeros([F, D]) as tf.Tensor2D,
    bs: tf.zeros([D]) as tf.Tensor1D,
    Wt: tf.zeros([F, D]) as tf.Tensor2D,
    bt: tf.zeros([D]) as tf.Tensor1D,
  };
}

/** The mask [D] that keeps coordinates of one parity: 1 where d % 2 === parity. Alternate parities between layers. */
export function checkerboardMask(D: number, parity: 0 | 1): tf.Tensor1D {
  checkArgs('checkerboardMask')
    .number('D', D, { integer: true, min: 2 })
    .require(parity === 0 || parity === 1, `argument 'parity' expected 0 or 1 but got ${String(parity)}`);
  return tf.tensor1d(Array.from({ length: D }, (_, d) => (d % 2 === parity ? 1 : 0)));
}

function checkCoupling(fn: string, x: tf.Tensor, xName: string, mask: tf.Tensor, p: AffineCouplingParams) {
  return checkArgs(fn)
    .tensor(xName, x, ['N', 'D'], 'float32')
    .tensor('mask', mask, ['D'], 'float32')
    .binaryValues('mask', mask)
    .tensor('params.W1', p?.W1, ['D', 'F'], 'float32')
    .tensor('params.b1', p.b1, ['F'], 'float32')
    .tensor('params.Ws', p.Ws, ['F', 'D'], 'float32')
    .tensor('params.bs', p.bs, ['D'], 'float32')
    .tensor('params.Wt', p.Wt, ['F', 'D'], 'float32')
    .tensor('params.bt', p.bt, ['D'], 'float32').dims;
}

/** The conditioner: kept coordinates x_b [N, D] → pre-activation, h, s and t. */
function conditioner(xKept: tf.Tensor, p: AffineCouplingParams) {
  const pre1 = tf.add(tf.matMul(xKept, p.W1), p.b1);
  const h = tf.relu(pre1);
  const s = tanh(tf.add(tf.matMul(h, p.Ws), p.bs));
  const t = tf.add(tf.matMul(h, p.Wt), p.bt);
  return { pre1, h, s, t };
}

/**
 * @param x [N, D]; @param mask b [D] of 0/1 (1 = kept)
 * @returns y [N, D], logDet [N] and the cache
 */
export function affineCouplingForward(
  x: tf.Tensor,
  mask: tf.Tensor,
  params: AffineCouplingParams,
): { y: tf.Tensor; logDet: tf.Tensor; cache: AffineCouplingCache } {
  checkCoupling('affineCouplingForward', x, 'x', mask, params);
  return tf.tidy(() => {
    const move = tf.sub(1, mask);
    const { pre1, h, s, t } = conditioner(tf.mul(x, mask), params);
    const expS = tf.exp(s);
    const y = tf.add(tf.mul(x, mask), tf.mul(move, tf.add(tf.mul(x, expS), t)));
    const logDet = tf.sum(tf.mul(move, s), 1);
    const T = (W: tf.Tensor) => tf.transpose(W);
    return {
      y,
      logDet,
      cache: {
        x: tf.clone(x),
        keep: tf.clone(mask),
        pre1,
        h,
        s,
        expS,
        W1T: T(params.W1),
        WsT: T(params.Ws),
        WtT: T(params.Wt),
      },
    };
  });
}

/** The exact inverse: y [N, D] → x [N, D] (and −logDet [N], the inverse map's log-determinant). */
export function affineCouplingInverse(
  y: tf.Tensor,
  mask: tf.Tensor,
  params: AffineCouplingParams,
): { x: tf.Tensor; logDet: tf.Tensor } {
  checkCoupling('affineCouplingInverse', y, 'y', mask, params);
  return tf.tidy(() => {
    const move = tf.sub(1, mask);
    const yKept = tf.mul(y, mask);
    const { s, t } = conditioner(yKept, params);
    const x = tf.add(yKept, tf.mul(move, tf.mul(tf.sub(y, t), tf.exp(tf.neg(s)))));
    return { x, logDet: tf.neg(tf.sum(tf.mul(move, s), 1)) };
  });
}

export type AffineCouplingGrads = {
  dx: tf.Tensor;
  dW1: tf.Tensor;
  db1: tf.Tensor;
  dWs: tf.Tensor;
  dbs: tf.Tensor;
  dWt: tf.Tensor;
  dbt: tf.Tensor;
};

/** dy [N, D] and dlogDet [N] → dx [N, D] and the conditioner's parameter gradients. */
export function affineCouplingBackward(
  dy: tf.Tensor,
  dlogDet: tf.Tensor,
  cache: AffineCouplingCache,
): AffineCouplingGrads {
  checkArgs('affineCouplingBackward')
    .require(
      cache?.expS instanceof tf.Tensor && !cache.expS.isDisposed,
      "argument 'cache' expected the live cache returned by affineCouplingForward",
    )
    .tensor('dy', dy, cache.x.shape, 'float32')
    .tensor('dlogDet', dlogDet, [cache.x.shape[0]], 'float32');
  const { x, keep, pre1, h, s, expS, W1T, WsT, WtT } = cache;
  return tf.tidy(() => {
    const move = tf.sub(1, keep);
    const ds = tf.mul(move, tf.add(tf.mul(dy, tf.mul(x, expS)), tf.expandDims(dlogDet, 1)));
    const dt = tf.mul(move, dy);
    const das = tf.mul(ds, tf.sub(1, tf.square(s)));
    const dh = tf.add(tf.matMul(das, WsT), tf.matMul(dt, WtT));
    const dpre1 = tf.mul(dh, tf.cast(tf.greater(pre1, 0), 'float32'));
    const direct = tf.add(tf.mul(keep, dy), tf.mul(move, tf.mul(dy, expS)));
    const dx = tf.add(direct, tf.mul(keep, tf.matMul(dpre1, W1T)));
    return {
      dx,
      dW1: matMulAT(tf.mul(x, keep), dpre1),
      db1: tf.sum(dpre1, 0),
      dWs: matMulAT(h, das),
      dbs: tf.sum(das, 0),
      dWt: matMulAT(h, dt),
      dbt: tf.sum(dt, 0),
    };
  });
}
