/**
 * Gradient checking, CS231n style: compare a hand-written backward with (a) a centred
 * numeric gradient and (b) tfjs autodiff of the same forward.
 *
 * On the float32 backends, a centred difference with step ε ≈ 1e-3 is accurate to roughly
 * 1e-3…1e-6 in relative error (round-off ~ u/ε, with u ≈ 6e-8 the float32 unit round-off,
 * plus truncation ~ ε²). Measured on the wasm backend over four random draws of the small
 * inputs the notebooks check (affine, RNN and LSTM step and sequence, both attentions,
 * multi-head attention, attention LSTM, layer norm): correct backwards show 7e-5…3e-3 against
 * numeric and 0…3e-7 against autodiff (which does the same float32 arithmetic); a wrong
 * backward shows ~1e-1 or more against both. `checkLayer`'s default tolerances (1e-2 numeric,
 * 1e-5 autodiff) sit between. The float64 checks with far tighter bounds live in `test/`.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randn } from '../core/random';
import { checkArgs } from '../core/validate';

/** Normwise relative error ‖a − b‖₂ / max(‖a‖₂ + ‖b‖₂, 1e-12). */
export function relError(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const va = a instanceof tf.Tensor ? a.dataSync() : a;
  const vb = b instanceof tf.Tensor ? b.dataSync() : b;
  checkArgs('relError').require(
    va.length === vb.length,
    `arguments 'a' and 'b' expected the same size but got ${va.length} and ${vb.length}`,
  );
  let diff = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < va.length; i++) {
    diff += (va[i] - vb[i]) ** 2;
    na += va[i] ** 2;
    nb += vb[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-12);
}

/**
 * Centred numeric gradient of the scalar ⟨f(x), dout⟩ with respect to x:
 *   ∂/∂x_i ≈ (⟨f(x + ε eᵢ), dout⟩ − ⟨f(x − ε eᵢ), dout⟩) / 2ε,   ε = `step`.
 * Costs two forward passes per element of x: use on small inputs.
 */
export function numericGradient(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, dout: tf.Tensor, step = 1e-3): tf.Tensor {
  checkArgs('numericGradient')
    .tensor('x', x, x instanceof tf.Tensor ? x.shape : [], 'float32')
    .number('step', step, { min: 0, exclusiveMin: true });
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
    base[i] = old + step;
    const plus = dot(base);
    base[i] = old - step;
    const minus = dot(base);
    base[i] = old;
    grad[i] = (plus - minus) / (2 * step);
  }
  return tf.tensor(grad, x.shape, 'float32');
}

/** Relative errors of one gradient: against the numeric gradient, and against autodiff (null when skipped). */
export interface GradientErrors {
  numeric: number;
  autodiff: number | null;
}

/** Largest relative errors a check accepts (see the module comment for what to expect). */
export interface GradientTolerance {
  /** Against the float32 centred difference (default 1e-2; a wrong backward shows ~1e-1 or more). */
  numeric?: number;
  /** Against tfjs autodiff of the same forward (default 1e-5). */
  autodiff?: number;
}

export const DEFAULT_GRADIENT_TOLERANCE: Required<GradientTolerance> = { numeric: 1e-2, autodiff: 1e-5 };

/**
 * Thrown by {@link checkLayer} when a gradient is missing or outside tolerance; `errors` holds every measured value.
 */
export class GradientCheckError extends Error {
  constructor(
    message: string,
    readonly errors: Record<string, GradientErrors>,
    readonly failures: string[],
  ) {
    super(message);
    this.name = 'GradientCheckError';
  }
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
  /** Float32 inputs the layer has no gradient for by design (e.g. a 0/1 mask); all others must get one. */
  noGradient?: string[];
  /** Largest accepted relative errors (defaults: {@link DEFAULT_GRADIENT_TOLERANCE}). */
  tolerance?: GradientTolerance;
  /** Seed of the random upstream gradient (default 0). */
  seed?: number;
  /** Finite-difference step ε (default 1e-3). */
  step?: number;
  /** Also compare with tfjs autodiff of `forward` (default true; turn off for ops without a tfjs gradient). */
  autodiff?: boolean;
  /** Print the lines (default true). */
  print?: boolean;
}

/** The largest error of one kind over one or more checks (autodiff: skipped checks ignored; -Infinity if none). */
export function worstError(
  checks: Record<string, GradientErrors> | Record<string, GradientErrors>[],
  kind: 'numeric' | 'autodiff',
): number {
  const list = Array.isArray(checks) ? checks : [checks];
  return Math.max(...list.flatMap((e) => Object.values(e).map((x) => x[kind] ?? -Infinity)));
}

/**
 * Checks every gradient `d<name>` a backward returns against the numeric gradient and (unless
 * `autodiff: false`) tfjs autodiff of the same forward, prints lines like
 *
 *   affine dx relative error: numeric 2.1e-04, autodiff 3.4e-08
 *   affine: all 3 gradients within tolerance (numeric ≤ 1e-2, autodiff ≤ 1e-5)
 *
 * and returns the errors by input name. Throws a {@link GradientCheckError} naming the input
 * and the measured error when a float32 input gets no gradient (unless listed in `noGradient`)
 * or an error exceeds `tolerance`; the lines are printed first. Leaves no tensors behind.
 */
export function checkLayer<C>(spec: LayerCheck<C>): Record<string, GradientErrors> {
  const c = checkArgs('checkLayer');
  c.require(
    typeof spec?.forward === 'function' && typeof spec.backward === 'function',
    "arguments 'forward' and 'backward' must be functions",
  );
  for (const [k, v] of Object.entries(spec.inputs ?? {}))
    c.tensor(`inputs.${k}`, v, v instanceof tf.Tensor ? v.shape : []);
  const step = spec.step ?? 1e-3;
  c.number('step', step, { min: 0, exclusiveMin: true });
  const tol = { ...DEFAULT_GRADIENT_TOLERANCE, ...spec.tolerance };
  c.number('tolerance.numeric', tol.numeric, { min: 0, exclusiveMin: true }).number(
    'tolerance.autodiff',
    tol.autodiff,
    { min: 0, exclusiveMin: true },
  );
  const noGradient = spec.noGradient ?? [];
  for (const n of noGradient)
    c.require(
      n in spec.inputs,
      `argument 'noGradient' names '${n}', which is not an input (inputs: ${Object.keys(spec.inputs).join(', ')})`,
    );
  const outFrom = (inputs: Record<string, tf.Tensor>): tf.Tensor => spec.forward(inputs).out;
  const results: Record<string, GradientErrors> = {};
  const missing: string[] = [];
  let returned: string[] = [];
  tf.tidy(() => {
    const { out, cache } = spec.forward(spec.inputs);
    c.tensor('forward(inputs).out', out, out instanceof tf.Tensor ? out.shape : []);
    const dout = randn(out.shape, new Rng(spec.seed ?? 0));
    const analytic = spec.backward(dout, cache);
    returned = Object.keys(analytic);
    const floats = Object.keys(spec.inputs).filter(
      (n) => spec.inputs[n].dtype === 'float32' && !noGradient.includes(n),
    );
    missing.push(...floats.filter((n) => !(analytic[`d${n}`] instanceof tf.Tensor)));
    for (const name of floats.filter((n) => !missing.includes(n))) {
      c.tensor(`backward(...).d${name}`, analytic[`d${name}`], spec.inputs[name].shape);
      const withX = (x: tf.Tensor): Record<string, tf.Tensor> => ({ ...spec.inputs, [name]: x });
      const numeric = numericGradient((x) => outFrom(withX(x)), spec.inputs[name], dout, step);
      let autodiff: number | null = null;
      if (spec.autodiff ?? true) {
        const auto = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(outFrom(withX(x)), dout)))(spec.inputs[name]);
        autodiff = relError(analytic[`d${name}`], auto);
      }
      results[name] = { numeric: relError(analytic[`d${name}`], numeric), autodiff };
    }
  });
  const e1 = (v: number): string => v.toExponential(1);
  const failures = [
    ...missing.map((n) => `d${n} is missing (backward returned ${returned.join(', ') || 'nothing'})`),
    ...Object.entries(results).flatMap(([n, e]) => [
      ...(e.numeric <= tol.numeric
        ? []
        : [`d${n} relative error against numeric ${e1(e.numeric)} exceeds ${e1(tol.numeric)}`]),
      ...(e.autodiff === null || e.autodiff <= tol.autodiff
        ? []
        : [`d${n} relative error against autodiff ${e1(e.autodiff)} exceeds ${e1(tol.autodiff)}`]),
    ]),
  ];
  if (spec.print ?? true) {
    for (const [name, e] of Object.entries(results)) {
      const auto = e.autodiff === null ? '' : `, autodiff ${e1(e.autodiff)}`;
      console.log(`${spec.name} d${name} relative error: numeric ${e1(e.numeric)}${auto}`);
    }
    const bounds = `numeric ≤ ${e1(tol.numeric)}${(spec.autodiff ?? true) ? `, autodiff ≤ ${e1(tol.autodiff)}` : ''}`;
    const n = Object.keys(results).length + missing.length;
    console.log(
      failures.length
        ? `${spec.name}: FAILED — ${failures.join('; ')}`
        : `${spec.name}: all ${n} gradients within tolerance (${bounds})`,
    );
  }
  if (failures.length)
    throw new GradientCheckError(`checkLayer: ${spec.name}: ${failures.join('; ')}`, results, failures);
  return results;
}
