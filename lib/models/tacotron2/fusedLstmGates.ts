/**
 * The LSTM gate nonlinearity of lib/layers/lstmGates.ts (same maths, same gate order i, f, o, g)
 * in fewer kernels, for the decoder's two cells that run once per decoder step: on wasm each
 * kernel launch costs more than its arithmetic at these sizes. Three changes, nothing else:
 *
 *   all four gates in one sigmoid:   z = σ(a ⊙ s), s = [1, 1, 1, 2] per block;  i, f, o = z,  g = 2z − 1 = tanh(a_g)
 *   the slopes saved by the forward: act′ = s² ⊙ z ⊙ (1 − z)  (σ′ for i, f, o; 1 − g² = 4σ(2a)(1 − σ(2a)) for g)
 *                                    and o ⊙ (1 − tanh²cₜ)
 *   the backward as one product:     da = [dcₜ ⊙ g, dcₜ ⊙ cₜ₋₁, dhₜ ⊙ tanh cₜ, dcₜ ⊙ i] ⊙ act′,
 *                                    dcₜ = dc′ + dhₜ ⊙ o ⊙ (1 − tanh²cₜ),  dcₜ₋₁ = dcₜ ⊙ f
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { tanh } from '../../ops/fastOps';

export type FusedGatesCache = {
  i: tf.Tensor;
  f: tf.Tensor;
  g: tf.Tensor;
  prevC: tf.Tensor;
  tanhC: tf.Tensor;
  slope: tf.Tensor;
  outputSlope: tf.Tensor;
};

/** s = [1, …, 1, 2, …, 2]: 1 on the i, f, o blocks, 2 on the g block ([4H]); made once per sequence. */
export function gateScale(H: number): tf.Tensor {
  checkArgs('gateScale').number('H', H, { integer: true, min: 1 });
  return tf.tidy(() => tf.concat([tf.ones([3 * H]), tf.fill([H], 2)]));
}

/** Pre-activations a [N, 4H], cₜ₋₁ [N, H] and s = gateScale(H) → hₜ, cₜ [N, H] and the cache. */
export function fusedLstmGatesForward(
  a: tf.Tensor,
  prevC: tf.Tensor,
  s: tf.Tensor,
): { nextH: tf.Tensor; nextC: tf.Tensor; cache: FusedGatesCache } {
  const c = checkArgs('fusedLstmGatesForward')
    .tensor('prevC', prevC, ['N', 'H'], 'float32')
    .tensor('a', a, ['N', 'G'], 'float32')
    .tensor('s', s, ['G'], 'float32');
  c.require(c.dims.G === 4 * c.dims.H, `argument 'a' expected [N, 4H=${4 * c.dims.H}]`);
  return tf.tidy(() => {
    const z = tf.sigmoid(tf.mul(a, s));
    const act = tf.sub(tf.mul(z, s), tf.sub(s, 1)); // i, f, o = z; g = 2z − 1
    const slope = tf.mul(tf.mul(z, tf.sub(1, z)), tf.square(s));
    const [i, f, o, g] = tf.split(act, 4, 1);
    const nextC = tf.add(tf.mul(f, prevC), tf.mul(i, g));
    const tanhC = tanh(nextC);
    const outputSlope = tf.mul(o, tf.sub(1, tf.square(tanhC)));
    return {
      nextH: tf.mul(o, tanhC),
      nextC,
      cache: { i, f, g, prevC: tf.clone(prevC), tanhC, slope, outputSlope },
    };
  });
}

/** dhₜ, dcₜ [N, H] → da [N, 4H], dcₜ₋₁ [N, H]. */
export function fusedLstmGatesBackward(
  dnextH: tf.Tensor,
  dnextC: tf.Tensor,
  cache: FusedGatesCache,
): { da: tf.Tensor; dprevC: tf.Tensor } {
  checkArgs('fusedLstmGatesBackward')
    .tensor('cache.prevC', cache?.prevC, ['N', 'H'])
    .tensor('dnextH', dnextH, cache.prevC.shape, 'float32')
    .tensor('dnextC', dnextC, cache.prevC.shape, 'float32');
  return tf.tidy(() => {
    const dC = tf.add(dnextC, tf.mul(dnextH, cache.outputSlope));
    const dact = tf.concat(
      [tf.mul(dC, cache.g), tf.mul(dC, cache.prevC), tf.mul(dnextH, cache.tanhC), tf.mul(dC, cache.i)],
      1,
    );
    return { da: tf.mul(dact, cache.slope), dprevC: tf.mul(dC, cache.f) };
  });
}
