/**
 * Who frees a layer's cache — the one convention every forward/backward pair follows.
 *
 * A forward returns `{ out, cache }`. The cache **owns** every tensor in it: inputs it keeps
 * are `tf.clone`d (a clone shares the data, so it costs no copy), intermediates are its own.
 * So the caller may dispose its inputs right after the forward, and the backward does **not**
 * consume the cache: it can be run twice (a gradient check does) and the caller frees the
 * cache when done:
 *
 * ```ts
 * const { h, cache } = bp.rnnForward(x, h0, Wx, Wh, b);
 * const grads = bp.rnnBackward(dh, cache);
 * bp.disposeCache(cache);   // the same as tf.dispose(cache): it walks nested objects and arrays
 * ```
 *
 * Numbers, strings and shapes stored in a cache are ignored by the walk.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** Frees every tensor reachable from `cache` (nested objects and arrays included). */
export function disposeCache(cache: tf.TensorContainer): void {
  checkArgs('disposeCache').require(
    cache !== null && typeof cache === 'object',
    `argument 'cache' expected an object of tensors but got ${cache === null ? 'null' : typeof cache}`,
  );
  tf.dispose(cache);
}

/**
 * The first check of every backward: `cache` is an object with the fields its forward
 * `producer` stores (so the wrong layer's cache fails here, with a ShapeError naming both
 * functions, instead of a TypeError inside the maths). The backward then checks the cached
 * tensors' shapes, which also rejects a disposed cache.
 */
export function checkCache(fn: string, cache: unknown, producer: string, fields: readonly string[]): void {
  const c = checkArgs(fn);
  c.require(
    cache !== null && typeof cache === 'object',
    `argument 'cache' expected the cache returned by ${producer} but got ${cache === null ? 'null' : typeof cache}`,
  );
  const missing = fields.filter((f) => (cache as Record<string, unknown>)[f] === undefined);
  c.require(
    missing.length === 0,
    `argument 'cache' expected the cache returned by ${producer} (it lacks ${missing.join(', ')})`,
  );
}
