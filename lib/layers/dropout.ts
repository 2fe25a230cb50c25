/**
 * Inverted dropout, forward and backward.
 *
 *   m ~ Bernoulli(1 − p) elementwise (drawn from a seeded Rng),  out = x ⊙ m / (1 − p)
 *   dx = dout ⊙ m / (1 − p)
 *
 * Scaling by 1/(1 − p) at training time keeps E[out] = x, so inference is the identity
 * (`p = 0`, or `training: false`). The mask is the cache.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { Rng } from '../core/random';

/** The scaled keep-mask m / (1 − p) (absent when dropout was the identity) and x's shape. */
export type DropoutCache = { scaledMask?: tf.Tensor; shape: number[] };

/**
 * @param x input of any shape
 * @param p drop probability in [0, 1)
 * @param rng draws the mask (required when p > 0 and training)
 */
export function dropoutForward(
  x: tf.Tensor,
  p: number,
  opts: { rng?: Rng; training?: boolean } = {},
): { out: tf.Tensor; cache: DropoutCache } {
  const check = checkArgs('dropoutForward')
    .rankAtLeast('x', x, 0)
    .tensor('x', x, x.shape, 'float32')
    .number('p', p, { min: 0, max: 1 })
    .require(p < 1, `argument 'p' expected a drop probability below 1 but got ${p}`);
  const active = p > 0 && opts.training !== false;
  check.require(
    !active || opts.rng instanceof Rng,
    "argument 'opts.rng' expected an Rng (dropout with p > 0 draws a mask)",
  );
  if (!active) return { out: tf.clone(x), cache: { shape: x.shape } };
  const keep = new Float32Array(x.size);
  for (let i = 0; i < keep.length; i++) keep[i] = opts.rng!.uniform() >= p ? 1 / (1 - p) : 0;
  return tf.tidy(() => {
    const scaledMask = tf.tensor(keep, x.shape);
    return { out: tf.mul(x, scaledMask), cache: { scaledMask, shape: x.shape } };
  });
}

/** dout (shape of x) → dx = dout ⊙ m / (1 − p). */
export function dropoutBackward(dout: tf.Tensor, cache: DropoutCache): { dx: tf.Tensor } {
  checkArgs('dropoutBackward')
    .require(Array.isArray(cache?.shape), "argument 'cache' expected the cache returned by dropoutForward")
    .tensor('dout', dout, cache.shape, 'float32');
  return { dx: cache.scaledMask ? tf.mul(dout, cache.scaledMask) : tf.clone(dout) };
}
