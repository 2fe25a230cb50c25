/**
 * The post-net: a residual correction of the decoder's whole mel,
 *
 *   z⁰ = ŷ,  zⁱ = tanh(conv1d(zⁱ⁻¹, Wᵢ) + bᵢ) (i < 5),  z⁵ = conv1d(z⁴, W₅) + b₅,   ŷ_post = ŷ + z⁵
 *
 * ('same' padding over time; Tacotron 2's batch norm and dropout in the post-net are left out
 * at this scale). tfjs expressions for synthesis and the autodiff reference; training uses
 * ./postnetBackprop.ts (the same maths with a hand-written backward).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import type { Tacotron2 } from './config';

/** @param mel [N, T, M] decoder mel (normalised) @returns [N, T, M] the refined mel */
export function postnetForward(model: Tacotron2, mel: tf.Tensor): tf.Tensor {
  checkArgs('postnetForward').tensor('mel', mel, ['N', 'T', model.config.melDims], 'float32');
  const L = model.config.postnetLayers;
  let z = mel as tf.Tensor3D;
  for (let i = 0; i < L; i++) {
    const a = tf.add(
      tf.conv1d(z, model.params[`post${i}W`] as tf.Tensor3D, 1, 'same'),
      model.params[`post${i}b`],
    ) as tf.Tensor3D;
    z = i < L - 1 ? tf.tanh(a) : a;
  }
  return tf.add(mel, z);
}
