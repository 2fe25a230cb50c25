/**
 * The small pieces the Tacotron 2 encoder and decoder share, written as autodiff-friendly tfjs
 * expressions: an LSTM cell whose input projection may be precomputed for all steps, the split of
 * a fused LSTM weight, and an inverted-dropout mask drawn from the run's seeded generator.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { tanh } from '../../ops/fastOps';

/** Inverted-dropout keep mask scaled by 1/(1 − p), drawn from `rng` (a constant for autodiff). */
export function dropoutMask(shape: number[], p: number, rng: Rng): tf.Tensor {
  checkArgs('dropoutMask')
    .require(
      Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0),
      `argument 'shape' expected non-negative integers but got [${shape}]`,
    )
    .number('p', p, { min: 0, max: 0.99 })
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  const keep = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < keep.length; i++) keep[i] = rng.uniform() >= p ? 1 / (1 - p) : 0;
  return tf.tensor(keep, shape);
}

/**
 * One LSTM step, gates in the order i, f, o, g: a = [x, h]·W + b,
 * c' = σ(a_f) ⊙ c + σ(a_i) ⊙ tanh(a_g), h' = σ(a_o) ⊙ tanh(c').
 * `xW` is x's share of a when it was computed for all steps at once.
 */
export function lstmCell(
  xW: tf.Tensor,
  h: tf.Tensor,
  c: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { h: tf.Tensor; c: tf.Tensor } {
  const { H } = checkArgs('lstmCell')
    .tensor('h', h, ['N', 'H'], 'float32')
    .tensor('c', c, ['N', 'H'], 'float32')
    .tensor('xW', xW, ['N', '4H'], 'float32')
    .tensor('Wh', Wh, ['H', '4H'], 'float32')
    .tensor('b', b, ['4H'], 'float32').dims as { H: number };
  const a = tf.add(tf.add(xW, tf.matMul(h, Wh)), b);
  const [ai, af, ao, ag] = tf.split(a, [H, H, H, H], 1);
  const cNext = tf.add(tf.mul(tf.sigmoid(af), c), tf.mul(tf.sigmoid(ai), tanh(ag)));
  return { h: tf.mul(tf.sigmoid(ao), tanh(cNext)), c: cNext };
}

/** Splits a fused LSTM weight [D + H, 4H] into its input and recurrent parts. */
export function splitLstmWeight(W: tf.Tensor, H: number): { Wx: tf.Tensor; Wh: tf.Tensor } {
  checkArgs('splitLstmWeight')
    .tensor('W', W, ['DH', 4 * H], 'float32')
    .require((W.shape[0] as number) > H, `argument 'W' expected more than H = ${H} rows but got ${W.shape[0]}`);
  const D = (W.shape[0] as number) - H;
  const [Wx, Wh] = tf.split(W, [D, H], 0);
  return { Wx, Wh };
}
