/**
 * Sinusoidal positions (Vaswani et al., 2017), added to a sequence's embeddings so attention,
 * which is blind to order, can tell positions apart:
 *
 *   PE[t, 2i] = sin(t / 10000^(2i/E)),   PE[t, 2i+1] = cos(t / 10000^(2i/E))      → [L, E]
 *
 * Each pair of columns is a rotation at its own frequency, so PE[t + k] is a fixed linear map
 * of PE[t] for every offset k.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** The [L, E] table of sinusoidal position encodings (E even). */
export function sinusoidalPositions(L: number, E: number): tf.Tensor2D {
  checkArgs('sinusoidalPositions')
    .number('L', L, { integer: true, min: 1 })
    .number('E', E, { integer: true, min: 2 })
    .require(E % 2 === 0, `argument 'E' expected an even width but got ${E}`);
  const table = new Float32Array(L * E);
  for (let t = 0; t < L; t++) {
    for (let i = 0; i < E / 2; i++) {
      const angle = t / 10000 ** ((2 * i) / E);
      table[t * E + 2 * i] = Math.sin(angle);
      table[t * E + 2 * i + 1] = Math.cos(angle);
    }
  }
  return tf.tensor2d(table, [L, E]);
}
