/**
 * The reparameterisation trick (Kingma & Welling, 2014): a sample z ~ N(μ, σ²) written as a
 * deterministic function of (μ, log σ²) and noise ε ~ N(0, I) drawn outside the graph, so the
 * gradient reaches the encoder:
 *
 *   σ = exp(½ · log σ²),   z = μ + σ ⊙ ε
 *   ∂z/∂μ = 1,   ∂z/∂log σ² = ½ σ ⊙ ε
 *   ⇒ dμ = dz,   dlog σ² = dz ⊙ ε ⊙ ½σ
 *
 * mu, logVar [N, K] (K latent dimensions) → z [N, K].
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { Rng, randn } from '../core/random';

/** The noise and σ of one draw (owned by the cache: `disposeCache(cache)` after the backward). */
export type ReparameterizeCache = { eps: tf.Tensor; sigma: tf.Tensor };

/**
 * @param mu means [N, K]
 * @param logVar log-variances [N, K]
 * @param rng draws ε ~ N(0, I); pass `{ eps }` instead to reuse a given noise tensor [N, K]
 */
export function reparameterizeForward(
  mu: tf.Tensor,
  logVar: tf.Tensor,
  noise: { rng: Rng } | { eps: tf.Tensor },
): { z: tf.Tensor; cache: ReparameterizeCache } {
  const { N, K } = checkArgs('reparameterizeForward')
    .tensor('mu', mu, ['N', 'K'], 'float32')
    .tensor('logVar', logVar, ['N', 'K'], 'float32').dims;
  const given = noise !== null && typeof noise === 'object' && 'eps' in noise;
  if (given) checkArgs('reparameterizeForward').tensor('noise.eps', noise.eps, [N, K], 'float32');
  else
    checkArgs('reparameterizeForward').require(
      (noise as { rng?: unknown })?.rng instanceof Rng,
      "argument 'noise' expected { rng: Rng } or { eps: tensor [N, K] }",
    );
  return tf.tidy(() => {
    const eps = given ? tf.clone(noise.eps) : randn([N, K], (noise as { rng: Rng }).rng);
    const sigma = tf.exp(tf.mul(0.5, logVar));
    const z = tf.add(mu, tf.mul(sigma, eps));
    return { z, cache: { eps, sigma } };
  });
}

/** dz [N, K] → { dmu [N, K], dlogVar [N, K] }. */
export function reparameterizeBackward(
  dz: tf.Tensor,
  cache: ReparameterizeCache,
): { dmu: tf.Tensor; dlogVar: tf.Tensor } {
  checkArgs('reparameterizeBackward')
    .require(
      cache?.eps instanceof tf.Tensor && !cache.eps.isDisposed,
      "argument 'cache' expected the live cache returned by reparameterizeForward",
    )
    .tensor('dz', dz, cache.eps.shape, 'float32');
  return tf.tidy(() => {
    const dmu = tf.clone(dz);
    const dlogVar = tf.mul(dz, tf.mul(cache.eps, tf.mul(0.5, cache.sigma)));
    return { dmu, dlogVar };
  });
}
