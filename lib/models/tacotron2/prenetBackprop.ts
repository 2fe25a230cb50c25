/**
 * The pre-net for training, forward with a cache and hand-derived backward, over any number of
 * rows (one decoder step's N, or all S·N at once when the inputs are known in advance):
 *
 *   z₀ = Y P₀ + b₀    h₀ = m₀ ⊙ ReLU(z₀)    z₁ = h₀ P₁ + b₁    p = m₁ ⊙ ReLU(z₁)       Y [R, M] → p [R, P]
 *
 * m₀, m₁ are inverted-dropout masks (Tacotron 2 keeps them on at inference too). Backward, with
 * k₀ = m₀ ⊙ [z₀ > 0], k₁ = m₁ ⊙ [z₁ > 0]:
 *
 *   dz₁ = dp ⊙ k₁   dP₁ = h₀ᵀ dz₁   db₁ = Σ dz₁   dz₀ = (dz₁ P₁ᵀ) ⊙ k₀   dP₀ = Yᵀ dz₀   db₀ = Σ dz₀
 *
 * No gradient flows into Y: the pre-net reads either a natural frame or a fed-back prediction,
 * which the decoder treats as a constant (./decoderBackprop.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { linearGrads, matMulBT } from '../../ops/fastOps';
import { dropoutMask } from './cells';
import type { Tacotron2 } from './config';

export type PrenetCache = {
  Y: tf.Tensor;
  /** P₁ (for dz₀ = (dz₁ P₁ᵀ) ⊙ k₀). */
  W1: tf.Tensor;
  h0: tf.Tensor;
  keep0: tf.Tensor;
  keep1: tf.Tensor;
};

/**
 * Draws the two dropout masks of `steps` consecutive decoder steps of N rows each, in the order
 * the step-by-step decoder draws them (step 0's m₀, step 0's m₁, step 1's m₀, …), stacked
 * time-major: [steps·N, P] each. All ones without dropout.
 */
export function prenetMasks(model: Tacotron2, N: number, steps: number, rng: Rng): { m0: tf.Tensor; m1: tf.Tensor } {
  const { prenetDim: P, prenetDropout: q } = model.config;
  checkArgs('prenetMasks')
    .number('N', N, { integer: true, min: 1 })
    .number('steps', steps, { integer: true, min: 1 })
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  if (q === 0) return { m0: tf.ones([steps * N, P]), m1: tf.ones([steps * N, P]) };
  const m0: tf.Tensor[] = [];
  const m1: tf.Tensor[] = [];
  for (let t = 0; t < steps; t++) {
    m0.push(dropoutMask([N, P], q, rng));
    m1.push(dropoutMask([N, P], q, rng));
  }
  const out = { m0: tf.concat(m0, 0), m1: tf.concat(m1, 0) };
  tf.dispose([...m0, ...m1]);
  return out;
}

/** Y [R, M] with masks m₀, m₁ [R, P] → p [R, P] and the cache. */
export function prenetForward(
  model: Tacotron2,
  Y: tf.Tensor,
  masks: { m0: tf.Tensor; m1: tf.Tensor },
): { out: tf.Tensor; cache: PrenetCache } {
  const p = model.params;
  const { prenetDim: P, melDims: M } = model.config;
  const { R } = checkArgs('prenetForward')
    .tensor('Y', Y, ['R', M], 'float32')
    .tensor('masks.m0', masks?.m0, ['R', P], 'float32')
    .tensor('masks.m1', masks.m1, ['R', P], 'float32').dims as { R: number };
  checkArgs('prenetForward').require(R > 0, "argument 'Y' expected at least one row");
  return tf.tidy(() => {
    const z0 = tf.add(tf.matMul(Y, p.prenet0W), p.prenet0b);
    const keep0 = tf.mul(masks.m0, tf.cast(tf.greater(z0, 0), 'float32'));
    const h0 = tf.mul(z0, keep0);
    const z1 = tf.add(tf.matMul(h0, p.prenet1W), p.prenet1b);
    const keep1 = tf.mul(masks.m1, tf.cast(tf.greater(z1, 0), 'float32'));
    return { out: tf.mul(z1, keep1), cache: { Y: tf.clone(Y), W1: tf.clone(p.prenet1W), h0, keep0, keep1 } };
  });
}

/** Stacks per-step caches (in step order) into the cache of one forward over all their rows. */
export function concatPrenetCaches(caches: PrenetCache[]): PrenetCache {
  checkArgs('concatPrenetCaches').require(
    Array.isArray(caches) && caches.length > 0,
    'argument caches expected at least one cache',
  );
  const cat = (key: keyof PrenetCache) =>
    tf.concat(
      caches.map((c) => c[key]),
      0,
    );
  return { Y: cat('Y'), W1: tf.clone(caches[0].W1), h0: cat('h0'), keep0: cat('keep0'), keep1: cat('keep1') };
}

/** dp [R, P] → prenet0W, prenet0b, prenet1W, prenet1b gradients. */
export function prenetBackward(dout: tf.Tensor, cache: PrenetCache): Record<string, tf.Tensor> {
  checkArgs('prenetBackward').require(
    cache?.keep1 instanceof tf.Tensor && !cache.keep1.isDisposed,
    "argument 'cache' expected the live cache returned by prenetForward",
  );
  checkArgs('prenetBackward').tensor('dout', dout, cache.keep1.shape, 'float32');
  return tf.tidy(() => {
    const dz1 = tf.mul(dout, cache.keep1);
    const g1 = linearGrads([cache.h0], dz1);
    const dz0 = tf.mul(matMulBT(dz1, cache.W1), cache.keep0);
    const g0 = linearGrads([cache.Y], dz0);
    return { prenet0W: g0.dW[0], prenet0b: g0.db, prenet1W: g1.dW[0], prenet1b: g1.db };
  });
}
