/**
 * 1-D convolution over time with 'same' padding (Tacotron 2's encoder, post-net and location
 * features), forward and hand-derived backward. With x [N, T, C] zero-padded by p = (k − 1)/2
 * steps on each side (xpad), filters W [k, C, F] and bias b [F]:
 *
 *   out[n, t, f] = b[f] + Σ_{j<k, c<C} xpad[n, t + j, c] · W[j, c, f]               out [N, T, F]
 *
 * Backward — each gradient is itself a correlation, so all three run on the backend's own
 * convolution kernel (on wasm, XNNPACK's; an im2col here would spend its time gathering windows):
 *
 *   dx[n, t, c] = Σ_{j, f} doutpad[n, t + j, f] · W[k−1−j, c, f]
 *       the same 'same' convolution of dout with the filters flipped in time, C and F swapped
 *   dW[j, c, f] = Σ_{n, t} xpad[n, t + j, c] · dout[n, t, f]
 *       a 'valid' convolution of xpad (with c read as the batch and n as the channels) by dout
 *       (read as a filter [T, 1, N, F]), which leaves exactly k outputs per c
 *   db[f] = Σ_{n, t} dout[n, t, f]
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export type Conv1dCache = {
  x: tf.Tensor;
  W: tf.Tensor;
  dims: { N: number; T: number; C: number; F: number; k: number };
};

/** x [N, T, C], W [k, C, F] (k odd), b [F] or null (no bias) → out [N, T, F] and the cache. */
export function conv1dSameForward(
  x: tf.Tensor,
  W: tf.Tensor,
  b: tf.Tensor | null,
): { out: tf.Tensor; cache: Conv1dCache } {
  const c = checkArgs('conv1dSameForward')
    .tensor('x', x, ['N', 'T', 'C'], 'float32')
    .tensor('W', W, ['k', 'C', 'F'], 'float32');
  if (b !== null) c.tensor('b', b, [c.dims.F], 'float32');
  const { N, T, C, F, k } = c.require(
    c.dims.k % 2 === 1,
    `argument 'W' expected an odd width k but got ${c.dims.k}`,
  ).dims;
  return tf.tidy(() => {
    const conv = tf.conv1d(x as tf.Tensor3D, W as tf.Tensor3D, 1, 'same');
    const out = b ? tf.add(conv, b) : conv;
    return { out, cache: { x: tf.clone(x), W: tf.clone(W), dims: { N, T, C, F, k } } };
  });
}

function checkBackward(fn: string, dout: tf.Tensor, cache: Conv1dCache): Conv1dCache['dims'] {
  checkArgs(fn).require(
    cache?.dims !== undefined && cache.x instanceof tf.Tensor && !cache.x.isDisposed,
    `argument 'cache' expected the live cache returned by conv1dSameForward`,
  );
  const { N, T, F } = cache.dims;
  checkArgs(fn).tensor('dout', dout, [N, T, F], 'float32');
  return cache.dims;
}

/** The filters flipped in time with C and F swapped, [k, F, C]: what the input gradient convolves with. */
export function flippedFilters(W: tf.Tensor): tf.Tensor {
  checkArgs('flippedFilters').tensor('W', W, ['k', 'C', 'F'], 'float32');
  return tf.tidy(() => tf.transpose(tf.reverse(W, 0), [0, 2, 1]));
}

/**
 * dout [N, T, F] → dx [N, T, C] (the flipped-filter convolution). `flipped`: flippedFilters(W),
 * when a caller runs many steps with the same filters and flips them once.
 */
export function conv1dSameInputBackward(dout: tf.Tensor, cache: Conv1dCache, flipped?: tf.Tensor): tf.Tensor {
  const { C, F, k } = checkBackward('conv1dSameInputBackward', dout, cache);
  if (flipped) checkArgs('conv1dSameInputBackward').tensor('flipped', flipped, [k, F, C], 'float32');
  return tf.tidy(() => tf.conv1d(dout as tf.Tensor3D, (flipped ?? flippedFilters(cache.W)) as tf.Tensor3D, 1, 'same'));
}

/** dout [N, T, F] → dW [k, C, F] (the channels-as-batch convolution) and db [F]. */
export function conv1dSameWeightBackward(dout: tf.Tensor, cache: Conv1dCache): { dW: tf.Tensor; db: tf.Tensor } {
  const { N, T, C, F, k } = checkBackward('conv1dSameWeightBackward', dout, cache);
  return tf.tidy(() => {
    const p = (k - 1) / 2;
    const xpad = tf.pad(cache.x, [
      [0, 0],
      [p, p],
      [0, 0],
    ]);
    const byChannel = tf.reshape(tf.transpose(xpad, [2, 1, 0]), [C, T + 2 * p, 1, N]);
    const doutFilter = tf.reshape(tf.transpose(dout, [1, 0, 2]), [T, 1, N, F]);
    const dWT = tf.conv2d(byChannel as tf.Tensor4D, doutFilter as tf.Tensor4D, 1, 'valid'); // [C, k, 1, F]
    return { dW: tf.transpose(tf.reshape(dWT, [C, k, F]), [1, 0, 2]), db: tf.sum(tf.reshape(dout, [N * T, F]), 0) };
  });
}

/** dout [N, T, F] → dx [N, T, C], dW [k, C, F], db [F]. */
export function conv1dSameBackward(
  dout: tf.Tensor,
  cache: Conv1dCache,
): { dx: tf.Tensor; dW: tf.Tensor; db: tf.Tensor } {
  return { dx: conv1dSameInputBackward(dout, cache), ...conv1dSameWeightBackward(dout, cache) };
}

/**
 * The caches of several forwards with the same filters, as the cache of one forward over their
 * concatenated batches (so the weight gradient of many calls is one convolution).
 */
export function concatConv1dCaches(caches: readonly Conv1dCache[]): Conv1dCache {
  checkArgs('concatConv1dCaches').require(
    Array.isArray(caches) && caches.length > 0 && caches.every((c) => c.x instanceof tf.Tensor && !c.x.isDisposed),
    'argument caches expected live caches returned by conv1dSameForward',
  );
  const { T, C, F, k } = caches[0].dims;
  checkArgs('concatConv1dCaches').require(
    caches.every((c) => c.dims.T === T && c.dims.C === C && c.dims.F === F && c.dims.k === k),
    'argument caches expected forwards of the same length and filter shape',
  );
  const N = caches.reduce((n, c) => n + c.dims.N, 0);
  return {
    x: tf.concat(
      caches.map((c) => c.x),
      0,
    ),
    W: tf.clone(caches[0].W),
    dims: { N, T, C, F, k },
  };
}
