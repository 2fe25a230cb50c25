/**
 * Seeded randomness. Every random choice in the library takes a seed (or an {@link Rng}
 * built from one), so the same seed gives the same data, initialisation and loss curve
 * on the same backend. Numbers are drawn in JavaScript, not by a backend kernel, so
 * initial weights are identical on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from './validate';

/** An {@link Rng}'s state: its seed, sfc32's four words and Box–Muller's cached draw. */
export interface RngState {
  seed: number;
  words: number[];
  spare: number | null;
}

/**
 * A small, fast, seedable generator (sfc32 seeded through splitmix32).
 * `uniform()` is in [0, 1); `normal()` uses Box–Muller.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(readonly seed: number) {
    checkArgs('Rng').number('seed', seed, { integer: true });
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The whole state, to continue this exact sequence later with {@link Rng.fromState}. */
  getState(): RngState {
    return { seed: this.seed, words: [this.a, this.b, this.c, this.d], spare: this.spare };
  }

  /** A generator that continues from a state of {@link Rng.getState}. */
  static fromState(state: RngState): Rng {
    const c = checkArgs('Rng.fromState');
    c.require(
      state !== null &&
        typeof state === 'object' &&
        Array.isArray(state.words) &&
        state.words.length === 4 &&
        state.words.every((w) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 32) &&
        (state.spare === null || Number.isFinite(state.spare)),
      `argument 'state' expected { seed, words: four 32-bit integers, spare } but got ${JSON.stringify(state)}`,
    );
    const rng = new Rng(state.seed);
    [rng.a, rng.b, rng.c, rng.d] = state.words;
    rng.spare = state.spare;
    return rng;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal N(0, 1) (Box–Muller, caching the second draw). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    checkArgs('Rng.int').number('n', n, { integer: true, min: 1 });
    return Math.floor(this.uniform() * n);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** A derived generator with an independent stream (for giving sub-components their own seed). */
  fork(): Rng {
    return new Rng(this.nextUint32() | 0);
  }

  /** Where the stream is (plain numbers, for a resumable run's saved state). */
  snapshot(): RngSnapshot {
    return { a: this.a, b: this.b, c: this.c, d: this.d, spare: this.spare };
  }

  /** Continues from a {@link snapshot}: the draws that followed it come next. */
  restore(s: RngSnapshot): void {
    checkArgs('Rng.restore').require(
      s !== null &&
        typeof s === 'object' &&
        [s.a, s.b, s.c, s.d].every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) &&
        (s.spare === null || Number.isFinite(s.spare)),
      `argument 's' expected an Rng snapshot { a, b, c, d, spare } but got ${JSON.stringify(s)}`,
    );
    Object.assign(this, { a: s.a, b: s.b, c: s.c, d: s.d, spare: s.spare });
  }
}

/** The state of an {@link Rng}'s stream. */
export interface RngSnapshot {
  a: number;
  b: number;
  c: number;
  d: number;
  spare: number | null;
}

/** Validates a shape and an Rng for the tensor draws; returns the element count. */
function checkDraw(fn: string, shape: unknown, rng: unknown): number {
  const c = checkArgs(fn);
  c.require(
    Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0),
    `argument 'shape' expected non-negative integer dimensions but got ${JSON.stringify(shape)}`,
  );
  c.require(rng instanceof Rng, `argument 'rng' expected an Rng but got ${rng === null ? 'null' : typeof rng}`);
  return (shape as number[]).reduce((a, b) => a * b, 1);
}

/** A float32 tensor of N(0, std²) draws from `rng`. */
export function randn(shape: number[], rng: Rng, std = 1): tf.Tensor {
  const size = checkDraw('randn', shape, rng);
  checkArgs('randn').number('std', std, { min: 0 });
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
  return tf.tensor(values, shape, 'float32');
}

/** A float32 tensor of U(low, high) draws from `rng`. */
export function randu(shape: number[], rng: Rng, low = 0, high = 1): tf.Tensor {
  const size = checkDraw('randu', shape, rng);
  checkArgs('randu').number('low', low).number('high', high, { min: low });
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = low + (high - low) * rng.uniform();
  return tf.tensor(values, shape, 'float32');
}

/** An int32 tensor of uniform integers in [0, n) drawn from `rng`. */
export function randint(shape: number[], n: number, rng: Rng): tf.Tensor {
  const size = checkDraw('randint', shape, rng);
  checkArgs('randint').number('n', n, { integer: true, min: 1 });
  const values = new Int32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.int(n);
  return tf.tensor(values, shape, 'int32');
}
