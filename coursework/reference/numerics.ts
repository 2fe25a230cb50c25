/**
 * Float64 machinery shared by the test suite and the coursework grader (no vitest here, so a
 * grading process can load it): the F64 array, tensor conversions, the numeric and autodiff
 * vector–Jacobian products, and the plain float64 ops the reference forwards use.
 *
 * - `F64`: a minimal float64 n-d array (Float64Array + shape) for the independent
 *   plain-TypeScript reference forwards each test family writes (no tfjs involved).
 * - `numericVjp`: centred finite differences of ⟨f(x), dout⟩ in float64.
 * - `autodiffVjp`: the same vector–Jacobian product by tfjs autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../lib';

export interface F64 {
  data: Float64Array;
  shape: number[];
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function f64(shape: number[], data?: ArrayLike<number>): F64 {
  const out = new Float64Array(size(shape));
  if (data) {
    if (data.length !== out.length) throw new Error(`f64: ${data.length} values for shape [${shape}]`);
    out.set(data);
  }
  return { data: out, shape: [...shape] };
}

/** Float64 normal draws (std `scale`). */
export function randF64(shape: number[], rng: Rng, scale = 1): F64 {
  const a = f64(shape);
  for (let i = 0; i < a.data.length; i++) a.data[i] = rng.normal() * scale;
  return a;
}

/** Float64 copy of a tensor's values. */
export function fromTensor(t: tf.Tensor): F64 {
  return f64(t.shape, t.dataSync());
}

/** A float32 (or int32) tensor holding an F64's values. */
export function toTensor(a: F64, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  return tf.tensor(dtype === 'int32' ? Int32Array.from(a.data) : Float32Array.from(a.data), a.shape, dtype);
}

/**
 * Centred numeric gradient of the scalar ⟨f(), dout⟩ with respect to `x` (float64, in place):
 * ∂/∂x_i ≈ (⟨f(x + ε e_i), dout⟩ − ⟨f(x − ε e_i), dout⟩) / 2ε (ε = `step`). `f` must read `x.data` afresh.
 * Pass `dout = null` when f already returns a scalar (a loss).
 */
export function numericVjp(f: () => F64 | number, x: F64, dout: F64 | null, step = 1e-6): F64 {
  const dot = (): number => {
    const y = f();
    if (typeof y === 'number') return y;
    if (!dout) throw new Error('numericVjp: f returned an array but dout is null');
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i] * dout.data[i];
    return s;
  };
  const grad = f64(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const old = x.data[i];
    x.data[i] = old + step;
    const plus = dot();
    x.data[i] = old - step;
    const minus = dot();
    x.data[i] = old;
    grad.data[i] = (plus - minus) / (2 * step);
  }
  return grad;
}

/**
 * tfjs autodiff of ⟨f(...inputs), dout⟩ with respect to every input (for comparing a
 * hand-written backward against autodiff of the same forward). Returns new tensors.
 */
export function autodiffVjp(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  dout: tf.Tensor | null,
): tf.Tensor[] {
  return tf.tidy(() =>
    tf.grads((...xs: tf.Tensor[]) => {
      const y = f(...xs);
      return (dout ? tf.sum(tf.mul(y, dout)) : tf.sum(y)) as tf.Scalar;
    })(inputs),
  );
}

export function collectTensors(value: unknown, seen = new Set<unknown>()): tf.Tensor[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  if (value instanceof tf.Tensor) return [value];
  const out: tf.Tensor[] = [];
  for (const v of Array.isArray(value) ? value : Object.values(value as object)) out.push(...collectTensors(v, seen));
  // One tensor reachable from two places (e.g. the cache and `out`) counts once.
  return [...new Set(out)];
}

/** C = A·B for A[m,k], B[k,n]. */
export function matmul(a: F64, b: F64): F64 {
  const [m, k] = a.shape;
  const [k2, n] = b.shape;
  if (k !== k2) throw new Error(`matmul: [${a.shape}]·[${b.shape}]`);
  const c = f64([m, n]);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a.data[i * k + p];
      for (let j = 0; j < n; j++) c.data[i * n + j] += av * b.data[p * n + j];
    }
  return c;
}

/** Elementwise map. */
export function map(a: F64, fn: (v: number, i: number) => number): F64 {
  const out = f64(a.shape);
  for (let i = 0; i < a.data.length; i++) out.data[i] = fn(a.data[i], i);
  return out;
}

/** Elementwise a + b with b broadcast over leading dimensions (b's size divides a's). */
export function addBroadcast(a: F64, b: F64): F64 {
  const n = b.data.length;
  return map(a, (v, i) => v + b.data[i % n]);
}

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * Evenly spaced values from `lo` to `hi` (inclusive) filling an F64 of `shape` in row-major order
 * (EECS 498-style deterministic inputs).
 */
export function linspaceF64(shape: number[], lo: number, hi: number): F64 {
  const n = size(shape);
  return f64(
    shape,
    Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1))),
  );
}
