/**
 * Argument validation for every public function of the library.
 *
 * A shape spec is a list of dimensions, each either a number (that exact size) or a
 * name such as `'N'` or `'H'`. A name binds to the size it first meets and every later
 * use of the same name must agree, so one spec list states the whole contract:
 *
 * ```ts
 * const { N, D, H } = checkArgs('rnnStepForward')
 *   .tensor('x', x, ['N', 'D'])
 *   .tensor('prevH', prevH, ['N', 'H'])
 *   .tensor('Wx', Wx, ['D', 'H']).dims;
 * ```
 *
 * A mismatch throws a {@link ShapeError} whose message names the function, the
 * argument, the expected shape (with the sizes bound so far) and the actual shape:
 * `rnnStepForward: argument 'prevH' expected shape [N=4, H] but got [3, 5]`.
 * With debug checks on (lib/core/debugChecks.ts) a checked tensor must also be finite.
 */
import * as tf from '@tensorflow/tfjs';
import { assertFiniteArgument, debugChecksOn } from './debugChecks';

/** Thrown when an argument has the wrong rank, size or dtype. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export type Dim = number | string;
export type DType = tf.DataType;

function formatSpec(spec: readonly Dim[], dims: Record<string, number>): string {
  return `[${spec.map((d) => (typeof d === 'number' ? String(d) : d in dims ? `${d}=${dims[d]}` : d)).join(', ')}]`;
}

/** Collects named dimensions across the arguments of one call and checks each one. */
export class ArgChecker {
  readonly dims: Record<string, number> = {};
  constructor(readonly fn: string) {}

  /** Checks that `value` is a tensor of shape `spec` and, if given, one of `dtypes`. */
  tensor(arg: string, value: unknown, spec: readonly Dim[], dtypes?: DType | readonly DType[]): this {
    // A spec built from a wrong object (e.g. `[N, T, undefined]`) must not match any size.
    const badDim = spec.findIndex(
      (d) => !(typeof d === 'string' || (typeof d === 'number' && Number.isInteger(d) && d >= 0)),
    );
    if (badDim >= 0)
      throw new ShapeError(
        `${this.fn}: argument '${arg}' cannot be checked: dimension ${badDim} of ` +
          `its expected shape is ${String(spec[badDim])} (was the right cache passed?)`,
      );
    if (!(value instanceof tf.Tensor)) {
      throw new ShapeError(
        `${this.fn}: argument '${arg}' expected a tensor of ` +
          `shape ${formatSpec(spec, this.dims)} but got ${describe(value)}`,
      );
    }
    if (value.isDisposed) {
      throw new ShapeError(`${this.fn}: argument '${arg}' is a disposed tensor`);
    }
    const shape = value.shape;
    const fail = (): never => {
      throw new ShapeError(
        `${this.fn}: argument '${arg}' expected shape ${formatSpec(spec, this.dims)} but got [${shape.join(', ')}]`,
      );
    };
    if (shape.length !== spec.length) fail();
    spec.forEach((d, i) => {
      if (typeof d === 'number') {
        if (shape[i] !== d) fail();
      } else if (d in this.dims) {
        if (shape[i] !== this.dims[d]) fail();
      }
    });
    spec.forEach((d, i) => {
      if (typeof d !== 'string') return;
      // A named dimension is a count of something (utterances, steps, features): zero of them
      // would reach the kernels as an empty tensor (raw tfjs errors, wasm traps, NaN means).
      if (shape[i] === 0)
        throw new ShapeError(
          `${this.fn}: argument '${arg}' has an empty dimension ${d} = 0 ` +
            `in shape [${shape.join(', ')}]; expected at least 1`,
        );
      this.dims[d] = shape[i];
    });
    if (dtypes !== undefined) {
      const allowed = typeof dtypes === 'string' ? [dtypes] : dtypes;
      if (!allowed.includes(value.dtype)) {
        throw new ShapeError(
          `${this.fn}: argument '${arg}' expected dtype ${allowed.join(' or ')} but ` +
            `got ${value.dtype} (shape [${shape.join(', ')}])`,
        );
      }
    }
    if (debugChecksOn()) assertFiniteArgument(this.fn, arg, value);
    return this;
  }

  /** Like {@link tensor} but accepts `undefined`/`null` (an optional argument). */
  optionalTensor(arg: string, value: unknown, spec: readonly Dim[], dtypes?: DType | readonly DType[]): this {
    return value === undefined || value === null ? this : this.tensor(arg, value, spec, dtypes);
  }

  /** Checks a tensor's rank only (for arguments like `x[..., D]`), binding the last dimension to `lastDim`. */
  rankAtLeast(arg: string, value: unknown, minRank: number, lastDim?: Dim): this {
    if (!(value instanceof tf.Tensor)) {
      throw new ShapeError(
        `${this.fn}: argument '${arg}' expected a tensor of rank >= ${minRank} but got ${describe(value)}`,
      );
    }
    if (value.rank < minRank) {
      throw new ShapeError(
        `${this.fn}: argument '${arg}' expected rank >= ${minRank} but got shape [${value.shape.join(', ')}]`,
      );
    }
    if (lastDim !== undefined) {
      const spec: Dim[] = [...value.shape.slice(0, -1).map((_: number, i: number) => `${arg}#${i}`), lastDim];
      this.tensor(arg, value, spec);
    }
    return this;
  }

  /**
   * Checks that an int32 tensor holds class indices in [0, C) — an index out of range would
   * one-hot to a zero row and silently drop its term from a loss (one download of the indices).
   */
  classIndices(arg: string, value: tf.Tensor, C: number): this {
    const v = value.dataSync();
    const bad = v.findIndex((k) => k < 0 || k >= C);
    if (bad >= 0)
      throw new ShapeError(
        `${this.fn}: argument '${arg}' expected class indices in [0, ${C}) but element ${bad} is ${v[bad]}`,
      );
    return this;
  }

  /** Checks that a bool or float tensor holds only 0 and 1 (a mask). */
  binaryValues(arg: string, value: tf.Tensor): this {
    if (value.dtype === 'bool') return this;
    const v = value.dataSync();
    const bad = v.findIndex((k) => k !== 0 && k !== 1);
    if (bad >= 0)
      throw new ShapeError(`${this.fn}: argument '${arg}' expected 0/1 values but element ${bad} is ${v[bad]}`);
    return this;
  }

  /** Checks a number argument: finite, and within [min, max] when given; `integer` requires a whole number. */
  number(
    arg: string,
    value: unknown,
    opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
  ): this {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!opts.integer || Number.isInteger(value)) &&
      (opts.min === undefined || (opts.exclusiveMin ? value > opts.min : value >= opts.min)) &&
      (opts.max === undefined || value <= opts.max);
    if (!ok) {
      const range = [
        opts.integer ? 'an integer' : 'a finite number',
        opts.min !== undefined ? `${opts.exclusiveMin ? '>' : '>='} ${opts.min}` : '',
        opts.max !== undefined ? `<= ${opts.max}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      throw new ShapeError(`${this.fn}: argument '${arg}' expected ${range} but got ${describe(value)}`);
    }
    return this;
  }

  /** Requires a named dimension to equal a given size (e.g. `H` divisible checks are done by the caller). */
  dimEquals(name: string, expected: number, why: string): this {
    if (this.dims[name] !== expected) {
      throw new ShapeError(`${this.fn}: dimension ${name} expected ${expected} (${why}) but got ${this.dims[name]}`);
    }
    return this;
  }

  /** Throws a ShapeError with this function's name unless `condition` holds. */
  require(condition: boolean, message: string): this {
    if (!condition) throw new ShapeError(`${this.fn}: ${message}`);
    return this;
  }
}

/** Starts checking the arguments of function `fn`. */
export function checkArgs(fn: string): ArgChecker {
  return new ArgChecker(fn);
}

function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `tensor of shape [${value.shape.join(', ')}] (${value.dtype})`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of length ${value.length}`;
  return `${typeof value}${typeof value === 'number' ? ` ${value}` : ''}`;
}
