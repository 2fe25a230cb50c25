/**
 * What a grading check is and how it records its comparisons. A check exercises one
 * function of a (student's) library and compares numbers itself — normwise relative error
 * against a threshold — instead of relying on anything the library prints:
 *
 *   relErr(a, b) = ‖a − b‖₂ / max(‖a‖₂ + ‖b‖₂, 1e-12)
 *
 * Thresholds follow the test suite: forwards against float64 references ≤ 1e-5 (float32
 * round-off), backwards against tfjs autodiff ≤ 1e-5 and against a float64 centred numeric
 * gradient ≤ 1e-4. A wrong shape or a leaked tensor fails the check outright.
 *
 * The same checks run in the test suite (test/coursework.test.ts, in-process, on the
 * solution) and in the grader, where the student's functions run in a sandboxed process of
 * their own and only their return values come back (runItem.ts, remoteStudent.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type * as Lib from '../../lib';
import { F64 } from '../reference/numerics';
import type { StudentLibrary } from './studentLibrary';

export type Library = typeof Lib;

export const TOL = { forward: 1e-5, autodiff: 1e-5, numeric: 1e-4 } as const;

export interface Comparison {
  what: string;
  error: number;
  tolerance: number;
}

/** A check failed for a reason other than a number out of tolerance (shape, leak, missing output). */
export class CheckFailure extends Error {}

export class CheckLog {
  readonly comparisons: Comparison[] = [];

  /** Records relErr(actual, expected) ≤ tolerance after checking both have the same shape. */
  compare(what: string, actual: tf.Tensor | undefined, expected: tf.Tensor | F64, tolerance: number): void {
    const expectedShape = expected instanceof tf.Tensor ? expected.shape : expected.shape;
    this.shape(what, actual, expectedShape);
    const a = (actual as tf.Tensor).dataSync();
    const b = expected instanceof tf.Tensor ? expected.dataSync() : expected.data;
    this.comparisons.push({ what, error: relErr(a, b), tolerance });
  }

  /** Records |actual − expected| / max(|actual| + |expected|, 1e-12) ≤ tolerance for scalars. */
  compareScalar(what: string, actual: number, expected: number, tolerance: number): void {
    if (typeof actual !== 'number') throw new CheckFailure(`${what}: expected a number but got ${typeof actual}`);
    this.comparisons.push({ what, error: relErr([actual], [expected]), tolerance });
  }

  shape(what: string, actual: tf.Tensor | undefined, expected: readonly number[]): void {
    if (!(actual instanceof tf.Tensor))
      throw new CheckFailure(
        `${what}: expected a tensor of shape [${expected.join(', ')}] but got ${describe(actual)}`,
      );
    if (actual.isDisposed) throw new CheckFailure(`${what}: the returned tensor was already disposed`);
    if (actual.shape.join(',') !== expected.join(',')) {
      throw new CheckFailure(
        `${what}: wrong shape: expected [${expected.join(', ')}] but got [${actual.shape.join(', ')}]`,
      );
    }
  }

  get worst(): number {
    return this.comparisons.reduce((w, c) => Math.max(w, c.error), 0);
  }

  get failures(): Comparison[] {
    return this.comparisons.filter((c) => !(c.error <= c.tolerance));
  }
}

export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  const e = Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-12);
  return Number.isNaN(e) ? Infinity : e;
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  return typeof v === 'object' ? `an object with keys {${Object.keys(v as object).join(', ')}}` : typeof v;
}

/**
 * One grading check. `student` is the library under test, every function asynchronous and
 * leak-checked per call (studentLibrary.ts); `reference` is the instructor's compiled
 * library, used for what the check needs to be trusted (caches fed to a student's backward,
 * autodiff of the reference forward, seeded RNG), so a stubbed or broken forward costs only
 * the forward's item.
 */
export type Check = (student: StudentLibrary, reference: Library, log: CheckLog) => Promise<void>;
