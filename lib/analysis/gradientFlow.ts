/**
 * How far back does a gradient reach? For a loss that reads only the last hidden state,
 * L = ⟨h_T, g⟩, these functions run backprop through time one step at a time with the
 * hand-written step backward and record ‖∂L/∂hₜ‖ for every t — the quantity whose decay
 * (vanishing) or growth (exploding) decides what a recurrent network can learn.
 *
 * For the vanilla RNN, ∂L/∂hₜ₋₁ = (∂L/∂hₜ ⊙ (1 − hₜ²)) · Whᵀ: each step multiplies by Whᵀ and
 * a tanh′ ≤ 1, so the norm behaves like ρ(Wh)^(T−t) (ρ the spectral radius) damped by tanh′.
 * For the LSTM the cell path multiplies by the forget gate only: ∂L/∂cₜ₋₁ = ∂L/∂cₜ ⊙ f.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { Rng, randn } from '../core/random';
import { rnnStepForward, rnnStepBackward, RnnStepCache } from '../layers/rnn';
import { lstmStepForward, lstmStepBackward, LstmStepCache } from '../layers/lstm';

/**
 * ‖v‖₂ computed as m·‖v/m‖₂ with m = max|vᵢ|, so that vanishing gradients of 1e-30 (still
 * representable in float32) do not underflow to 0 when squared.
 */
function scaledNorm(v: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.max(tf.abs(v));
    const safe = tf.maximum(m, 1e-37); // an all-zero v gives 0, not NaN
    return tf.mul(tf.norm(tf.div(v, safe)), m);
  });
}

/** An orthogonal H×H matrix scaled so its spectral radius is exactly `radius` (QR of a Gaussian matrix). */
export function scaledOrthogonal(H: number, radius: number, rng: Rng): tf.Tensor2D {
  checkArgs('scaledOrthogonal').number('H', H, { integer: true, min: 1 }).number('radius', radius, { min: 0 });
  return tf.tidy(() => {
    const [q] = tf.linalg.qr(randn([H, H], rng) as tf.Tensor2D);
    return tf.mul(q, radius) as tf.Tensor2D;
  });
}

/** Gradient norms ‖∂L/∂hₜ‖ for t = 0..T−1 (t = T−1 is ‖g‖) through a vanilla RNN. x [N, T, D]. */
export function rnnGradientNorms(
  x: tf.Tensor,
  h0: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
  rng: Rng,
): number[] {
  const { N, T, H } = checkArgs('rnnGradientNorms')
    .tensor('x', x, ['N', 'T', 'D'], 'float32')
    .tensor('h0', h0, ['N', 'H'], 'float32').dims;
  return tf.tidy(() => {
    const xs = tf.unstack(x, 1);
    const caches: RnnStepCache[] = [];
    let h = h0;
    for (let t = 0; t < T; t++) {
      const step = rnnStepForward(xs[t], h, Wx, Wh, b);
      caches.push(step.cache);
      h = step.nextH;
    }
    let dh = randn([N, H], rng);
    const norms: tf.Tensor[] = new Array(T);
    for (let t = T - 1; t >= 0; t--) {
      norms[t] = scaledNorm(dh);
      dh = rnnStepBackward(dh, caches[t]).dprevH;
    }
    return Array.from(tf.stack(norms).dataSync());
  });
}

/** Gradient norms ‖∂L/∂hₜ‖ through an LSTM (c0 = 0). x [N, T, D], Wx [D, 4H], Wh [H, 4H]. */
export function lstmGradientNorms(
  x: tf.Tensor,
  h0: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
  rng: Rng,
): number[] {
  const { N, T, H } = checkArgs('lstmGradientNorms')
    .tensor('x', x, ['N', 'T', 'D'], 'float32')
    .tensor('h0', h0, ['N', 'H'], 'float32').dims;
  return tf.tidy(() => {
    const xs = tf.unstack(x, 1);
    const caches: LstmStepCache[] = [];
    let h = h0;
    let c: tf.Tensor = tf.zeros([N, H]);
    for (let t = 0; t < T; t++) {
      const step = lstmStepForward(xs[t], h, c, Wx, Wh, b);
      caches.push(step.cache);
      [h, c] = [step.nextH, step.nextC];
    }
    let dh = randn([N, H], rng);
    let dc: tf.Tensor = tf.zeros([N, H]);
    const norms: tf.Tensor[] = new Array(T);
    for (let t = T - 1; t >= 0; t--) {
      norms[t] = scaledNorm(dh);
      const g = lstmStepBackward(dh, dc, caches[t]);
      [dh, dc] = [g.dprevH, g.dprevC];
    }
    return Array.from(tf.stack(norms).dataSync());
  });
}
