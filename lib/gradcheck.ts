/**
 * Gradient checking, CS231n style: compare a hand-written backward with (a) a centred
 * numeric gradient and (b) tfjs autodiff of the same forward.
 *
 * On the float32 backends, a centred difference with h ≈ 1e-3 is accurate to roughly
 * 1e-3…1e-6 in relative error (round-off ~ ε_float32/h plus truncation ~ h²): measured on
 * the wasm backend, a correct affine or RNN step shows 3e-5…1e-4 against numeric, and
 * 0…1e-7 against autodiff (which does the same float32 arithmetic). A wrong backward shows
 * ~1e-1 or more against both. The float64 checks with far tighter bounds live in `test/`.
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
  const dot = (values: Float32Array): number => {
    const s = tf.tidy(() => {
      const y = f(tf.tensor(values, x.shape, 'float32'));
      checkArgs('numericGradient').tensor('dout', dout, y.shape);
      return tf.sum(tf.mul(y, dout));
    });
    const value = s.dataSync()[0];
    s.dispose();
    return value;
  };
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

/** Relative errors of one gradient: against the numeric gradient, and against autodiff (null when skipped). */
export interface GradientErrors {
  numeric: number;
  autodiff: number | null;
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
  /** Seed of the random upstream gradient (default 0). */
  seed?: number;
  /** Finite-difference step (default 1e-3). */
  h?: number;
  /** Also compare with tfjs autodiff of `forward` (default true; turn off for ops without a tfjs gradient). */
  autodiff?: boolean;
  /** Print the lines (default true). */
  print?: boolean;
}

/**
 * Checks every gradient `d<name>` a backward returns against the numeric gradient and (unless
 * `autodiff: false`) tfjs autodiff of the same forward, prints lines like
 *
 *   affine dx relative error: numeric 2.1e-04, autodiff 3.4e-08
 *
 * and returns the errors by input name. Throws if the backward returns a gradient for none of
 * the float32 inputs (a misnamed `dW` for input `w` would otherwise check nothing). Leaves
 * no tensors behind.
 */
export function checkLayer<C>(spec: LayerCheck<C>): Record<string, GradientErrors> {
  const c = checkArgs('checkLayer');
  c.require(typeof spec?.forward === 'function' && typeof spec.backward === 'function', "arguments 'forward' and 'backward' must be functions");
  for (const [k, v] of Object.entries(spec.inputs ?? {})) c.tensor(`inputs.${k}`, v, v instanceof tf.Tensor ? v.shape : []);
  const h = spec.h ?? 1e-3;
  c.number('h', h, { min: 0, exclusiveMin: true });
  const outFrom = (inputs: Record<string, tf.Tensor>): tf.Tensor => spec.forward(inputs).out;
  const results: Record<string, GradientErrors> = {};
  const missing: string[] = [];
  tf.tidy(() => {
    const { out, cache } = spec.forward(spec.inputs);
    c.tensor('forward(inputs).out', out, out instanceof tf.Tensor ? out.shape : []);
    const dout = randn(out.shape, new Rng(spec.seed ?? 0));
    const analytic = spec.backward(dout, cache);
    const floats = Object.keys(spec.inputs).filter((n) => spec.inputs[n].dtype === 'float32');
    missing.push(...floats.filter((n) => !(analytic[`d${n}`] instanceof tf.Tensor)));
    const names = floats.filter((n) => !missing.includes(n));
    c.require(names.length > 0, `backward returned none of ${floats.map((n) => `d${n}`).join(', ')} (it returned ${Object.keys(analytic).join(', ') || 'nothing'})`);
    for (const name of names) {
      c.tensor(`backward(...).d${name}`, analytic[`d${name}`], spec.inputs[name].shape);
      const withX = (x: tf.Tensor): Record<string, tf.Tensor> => ({ ...spec.inputs, [name]: x });
      const numeric = numericGradient((x) => outFrom(withX(x)), spec.inputs[name], dout, h);
      let autodiff: number | null = null;
      if (spec.autodiff ?? true) {
        const auto = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(outFrom(withX(x)), dout)))(spec.inputs[name]);
        autodiff = relError(analytic[`d${name}`], auto);
      }
      results[name] = { numeric: relError(analytic[`d${name}`], numeric), autodiff };
    }
  });
  if (spec.print ?? true) {
    for (const [name, e] of Object.entries(results)) {
      const auto = e.autodiff === null ? '' : `, autodiff ${e.autodiff.toExponential(1)}`;
      console.log(`${spec.name} d${name} relative error: numeric ${e.numeric.toExponential(1)}${auto}`);
    }
    for (const name of missing) console.log(`${spec.name} d${name}: not returned by backward (not checked)`);
  }
  return results;
}
