/**
 * The post-net for training (./postnet.ts with a cache) and its hand-derived backward:
 *
 *   z⁰ = ŷ,  aⁱ = conv1d(zⁱ⁻¹, Wᵢ) + bᵢ,  zⁱ = tanh(aⁱ) (i < K−1), z^{K−1} = a^{K−1},  ŷ_post = ŷ + z^{K−1}
 *
 * Backward from dŷ_post: dz^{K−1} = dŷ_post; daⁱ = dzⁱ ⊙ (1 − (zⁱ)²) for the tanh layers; each
 * conv's backward (conv1dSameBackward) gives dWᵢ, dbᵢ and dzⁱ⁻¹; dŷ = dŷ_post + dz⁰ (the residual).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { tanh } from '../../ops/fastOps';
import { Conv1dCache, conv1dSameBackward, conv1dSameForward } from '../../layers/conv1d';
import type { Tacotron2 } from './config';

export type PostnetCache = { convs: Conv1dCache[]; activations: tf.Tensor[] };

/** mel [N, T, M] → the refined mel [N, T, M] and the cache. */
export function tacotronPostnetForward(model: Tacotron2, mel: tf.Tensor): { out: tf.Tensor; cache: PostnetCache } {
  checkArgs('tacotronPostnetForward').tensor('mel', mel, ['N', 'T', model.config.melDims], 'float32');
  const K = model.config.postnetLayers;
  return tf.tidy(() => {
    const convs: Conv1dCache[] = [];
    const activations: tf.Tensor[] = [];
    let z = mel;
    for (let i = 0; i < K; i++) {
      const conv = conv1dSameForward(z, model.params[`post${i}W`], model.params[`post${i}b`]);
      convs.push(conv.cache);
      z = i < K - 1 ? tanh(conv.out) : conv.out;
      if (i < K - 1) activations.push(z);
    }
    return { out: tf.add(mel, z), cache: { convs, activations } };
  });
}

/** dŷ_post [N, T, M] → dŷ [N, T, M] and the gradients of post{i}W, post{i}b. */
export function tacotronPostnetBackward(
  dout: tf.Tensor,
  cache: PostnetCache,
): { dmel: tf.Tensor; grads: Record<string, tf.Tensor> } {
  checkArgs('tacotronPostnetBackward').require(
    Array.isArray(cache?.convs) && cache.convs.length >= 2 && cache.activations.length === cache.convs.length - 1,
    "argument 'cache' expected the cache returned by tacotronPostnetForward",
  );
  const { N, T, F: M } = cache.convs[cache.convs.length - 1].dims;
  checkArgs('tacotronPostnetBackward').tensor('dout', dout, [N, T, M], 'float32');
  return tf.tidy(() => {
    const grads: Record<string, tf.Tensor> = {};
    let dz = dout;
    for (let i = cache.convs.length - 1; i >= 0; i--) {
      const da = i < cache.convs.length - 1 ? tf.mul(dz, tf.sub(1, tf.square(cache.activations[i]))) : dz;
      const g = conv1dSameBackward(da, cache.convs[i]);
      grads[`post${i}W`] = g.dW;
      grads[`post${i}b`] = g.db;
      dz = g.dx;
    }
    return { dmel: tf.add(dout, dz), grads };
  });
}
