/**
 * Gradient checking, CS231n style: compare a hand-written backward with (a) a centred
 * numeric gradient and (b) tfjs autodiff of the same forward.
 *
 * On the float32 backends, a centred difference with h ≈ 1e-3 is accurate to roughly
 * 1e-3…1e-6 in relative error (round-off ~ ε/h plus truncation ~ h²), so a correct layer
 * shows ~1e-5 against numeric and ~1e-7 against autodiff; a wrong one shows ~1e-1 or more.
 * The float64 checks with far tighter bounds live in `test/`.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randn } from './core/random';
import { checkArgs } from './core/validate';

/** Normwise relative error ‖a − b‖₂ / max(‖a‖₂ + ‖b‖₂, 1e-12). */
export function relError(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const va = a instanceof tf.Tensor ? a.dataSync() : a;
  const vb = b instanceof tf.Tensor ? b.dataSync() : b;
  checkArgs('relError').require(va.length === vb.length, `arguments 'a' and 'b' expected the same size but got ${va.length} and ${vb.length}`);
  let diff = 0, na = 0, nb = 0;
  for (let i = 0; i < va.length; i++) {
    diff += (va[i] - vb[i]) ** 2;
    na += va[i] ** 2;
    nb += vb[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-12);
}

/**
 * Centred numeric gradient of the scalar ⟨f(x), dout⟩ with respect to x:
 *   ∂/∂x_i ≈ (⟨f(x + h eᵢ), dout⟩ − ⟨f(x − h eᵢ), dout⟩) / 2h.
 * Costs two forward passes per element of x: use on small inputs.
 */
export function numericGradient(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, dout: tf.Tensor, h = 1e-3): tf.Tensor {
  checkArgs('numericGradient').tensor('x', x, x instanceof tf.Tensor ? x.shape : [], 'float32').number('h', h, { min: 0, exclusiveMin: true });
  const base = Float32Array.from(x.dataSync());
  const grad = new Float32Array(base.length);
  const dot = (values: Float32Array): number =>
    tf.tidy(() => {
      const y = f(tf.tensor(values, x.shape, 'float32'));
      checkArgs('numericGradient').tensor('dout', dout, y.shape);
      return tf.sum(tf.mul(y, dout));
    }).dataSync()[0];
  for (let i = 0; i < base.length; i++) {
    const old = base[i];
    base[i] = old + h;
    const plus = dot(base);
    base[i] = old - h;
    const minus = dot(base);
    base[i] = old;
    grad[i] = (plus - minus) / (2 * h);
  }
  return tf.tensor(grad, x.shape, 'float32');
}

export interface LayerCheck<C> {
  /** Printed in front of each line, e.g. 'rnnStep'. */
  name: string;
  /** The layer's inputs by name (float32 ones are checked; int32 ones pass through). */
  inputs: Record<string, tf.Tensor>;
  /** Runs the hand-written forward on (possibly perturbed) inputs. */
  forward: (inputs: Record<string, tf.Tensor>) => { out: tf.Tensor; cache: C };
  /** The hand-written backward; its result holds `d<name>` for each checked input. */
  backward: (dout: tf.Tensor, cache: C) => Record<string, tf.Tensor>;
  /** Seed of the random upstream gradient. */
  seed?: number;
  /** Finite-difference step. */
  h?: number;
  /** Print the lines (default true). */
  print?: boolean;
}

/**
 * Checks every gradient `d<name>` a backward returns against the numeric gradient and tfjs
 * autodiff, prints `dx relative error: numeric 2.1e-06, autodiff 3.4e-08` lines and returns
 * the errors. Leaves no tensors behind.
 */
export function checkLayer<C>(spec: LayerCheck<C>): Record<string, { numeric: number; autodiff: number }> {
  const c = checkArgs('checkLayer');
  c.require(typeof spec?.forward === 'function' && typeof spec.backward === 'function', "arguments 'forward' and 'backward' must be functions");
  for (const [k, v] of Object.entries(spec.inputs ?? {})) c.tensor(`inputs.${k}`, v, v instanceof tf.Tensor ? v.shape : []);
  const outFrom = (inputs: Record<string, tf.Tensor>): tf.Tensor => spec.forward(inputs).out;
  const results: Record<string, { numeric: number; autodiff: number }> = {};
  tf.tidy(() => {
    const { out, cache } = spec.forward(spec.inputs);
    const dout = randn(out.shape, new Rng(spec.seed ?? 0));
    const analytic = spec.backward(dout, cache);
    const names = Object.keys(spec.inputs).filter((n) => spec.inputs[n].dtype === 'float32' && `d${n}` in analytic);
    for (const name of names) {
      const withX = (x: tf.Tensor): Record<string, tf.Tensor> => ({ ...spec.inputs, [name]: x });
      const numeric = numericGradient((x) => outFrom(withX(x)), spec.inputs[name], dout, spec.h ?? 1e-3);
      const auto = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(outFrom(withX(x)), dout)))(spec.inputs[name]);
      results[name] = { numeric: relError(analytic[`d${name}`], numeric), autodiff: relError(analytic[`d${name}`], auto) };
    }
  });
  if (spec.print ?? true) {
    for (const [name, e] of Object.entries(results)) {
      console.log(`${spec.name} d${name} relative error: numeric ${e.numeric.toExponential(1)}, autodiff ${e.autodiff.toExponential(1)}`);
    }
  }
  return results;
}
