/**
 * The LSTM's gate nonlinearity (gate order i, f, o, g — as in CS231n / EECS 498), shared by
 * every LSTM variant (lstm.ts, attentionLstmStep.ts): from the pre-activations
 * a = xₜ·Wx + hₜ₋₁·Wh + b [N, 4H], split into aᵢ, a_f, aₒ, a_g,
 *
 *   i = σ(aᵢ)  f = σ(a_f)  o = σ(aₒ)  g = tanh(a_g)
 *   cₜ = f ⊙ cₜ₋₁ + i ⊙ g          hₜ = o ⊙ tanh(cₜ)
 *
 * Backward, with dcₜ the total gradient reaching the cell (its own plus dhₜ ⊙ o ⊙ (1 − tanh²cₜ)):
 *
 *   daᵢ = dcₜ ⊙ g ⊙ i(1 − i)        da_f = dcₜ ⊙ cₜ₋₁ ⊙ f(1 − f)
 *   daₒ = dhₜ ⊙ tanh(cₜ) ⊙ o(1 − o)   da_g = dcₜ ⊙ i ⊙ (1 − g²)
 *   dcₜ₋₁ = dcₜ ⊙ f                  (the "gradient highway": only a multiply by f)
 *
 * `tanh` is lib/ops/fastOps.ts's (the same function, faster on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { tanh } from '../ops/fastOps';

/** What the gate backward needs from one step. */
export type LstmGatesCache = {
  i: tf.Tensor2D;
  f: tf.Tensor2D;
  o: tf.Tensor2D;
  g: tf.Tensor2D;
  prevC: tf.Tensor2D;
  tanhC: tf.Tensor2D;
};

/** The gate nonlinearity: pre-activations a [N, 4H] and cₜ₋₁ [N, H] → hₜ, cₜ. Shared by every LSTM variant. */
export function lstmGatesForward(
  a: tf.Tensor2D,
  prevC: tf.Tensor2D,
): { nextH: tf.Tensor2D; nextC: tf.Tensor2D; cache: LstmGatesCache } {
  const c = checkArgs('lstmGatesForward')
    .tensor('prevC', prevC, ['N', 'H'], 'float32')
    .tensor('a', a, ['N', 'G'], 'float32');
  c.require(
    c.dims.G === 4 * c.dims.H,
    `argument 'a' expected shape [N, 4H=${4 * c.dims.H}] but got [${a.shape.join(', ')}]`,
  );
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const [ai, af, ao, ag] = tf.split(a, 4, 1) as tf.Tensor2D[];
    const [i, f, o, g] = [tf.sigmoid(ai), tf.sigmoid(af), tf.sigmoid(ao), tanh(ag)];
    const nextC = tf.add(tf.mul(f, prevC), tf.mul(i, g)) as tf.Tensor2D;
    const tanhC = tanh(nextC);
    const nextH = tf.mul(o, tanhC) as tf.Tensor2D;
    // END SOLUTION
    return { nextH, nextC, cache: { i, f, o, g, prevC: tf.clone(prevC), tanhC } };
  });
}

/** Backward of {@link lstmGatesForward}: dhₜ, dcₜ [N, H] → da [N, 4H], dcₜ₋₁ [N, H]. */
export function lstmGatesBackward(
  dnextH: tf.Tensor2D,
  dnextC: tf.Tensor2D,
  c: LstmGatesCache,
): { da: tf.Tensor2D; dprevC: tf.Tensor2D } {
  checkArgs('lstmGatesBackward')
    .tensor('cache.prevC', c?.prevC, ['N', 'H'])
    .tensor('dnextH', dnextH, ['N', 'H'], 'float32')
    .tensor('dnextC', dnextC, ['N', 'H'], 'float32');
  return tf.tidy(() => {
    // BEGIN SOLUTION
    const dC = tf.add(dnextC, tf.mul(tf.mul(dnextH, c.o), tf.sub(1, tf.square(c.tanhC))));
    const di = tf.mul(tf.mul(dC, c.g), tf.mul(c.i, tf.sub(1, c.i)));
    const df = tf.mul(tf.mul(dC, c.prevC), tf.mul(c.f, tf.sub(1, c.f)));
    const dO = tf.mul(tf.mul(dnextH, c.tanhC), tf.mul(c.o, tf.sub(1, c.o)));
    const dg = tf.mul(tf.mul(dC, c.i), tf.sub(1, tf.square(c.g)));
    const da = tf.concat([di, df, dO, dg], 1) as tf.Tensor2D;
    const dprevC = tf.mul(dC, c.f) as tf.Tensor2D;
    // END SOLUTION
    return { da, dprevC };
  });
}
