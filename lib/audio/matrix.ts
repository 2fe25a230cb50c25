/**
 * The plain containers audio functions pass around: a signal is a `Float32Array` of samples
 * in [-1, 1]; features and spectrograms are row-major float32 matrices, one row per frame.
 * Plain typed arrays (not tensors) because feature extraction is a per-utterance CPU job
 * and must not allocate tensors; {@link matrixToTensor} hands a result to tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** A row-major float32 matrix: element (r, c) is `data[r * cols + c]`. */
export interface AudioMatrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Wraps `data` (length rows·cols) as an {@link AudioMatrix}. */
export function audioMatrix(data: Float32Array, rows: number, cols: number): AudioMatrix {
  checkArgs('audioMatrix')
    .number('rows', rows, { integer: true, min: 0 })
    .number('cols', cols, { integer: true, min: 0 })
    .require(data instanceof Float32Array, `argument 'data' expected a Float32Array but got ${describeValue(data)}`)
    .require(
      data.length === rows * cols,
      `argument 'data' expected length rows·cols = ${rows}·${cols} = ${rows * cols} but got ${data.length}`,
    );
  return { data, rows, cols };
}

/** Checks a mono signal argument: a Float32Array/Float64Array of finite samples, at least `minLength` long. */
export function checkSignal(fn: string, arg: string, value: unknown, minLength = 1): Float32Array | Float64Array {
  const c = checkArgs(fn);
  c.require(
    value instanceof Float32Array || value instanceof Float64Array,
    `argument '${arg}' expected a Float32Array (mono samples) but got ${describeValue(value)}`,
  );
  const x = value as Float32Array | Float64Array;
  c.require(x.length >= minLength, `argument '${arg}' expected at least ${minLength} samples but got ${x.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) c.require(false, `argument '${arg}' has a non-finite sample ${x[i]} at index ${i}`);
  }
  return x;
}

/** Checks an {@link AudioMatrix} argument, optionally its number of columns. */
export function checkMatrix(fn: string, arg: string, value: unknown, cols?: number): AudioMatrix {
  const c = checkArgs(fn);
  const m = value as AudioMatrix;
  c.require(
    m !== null &&
      typeof m === 'object' &&
      m.data instanceof Float32Array &&
      Number.isInteger(m.rows) &&
      Number.isInteger(m.cols) &&
      m.data.length === m.rows * m.cols,
    `argument '${arg}' expected an AudioMatrix { data: ` +
      `Float32Array(rows·cols), rows, cols } but got ${describeValue(value)}`,
  );
  if (cols !== undefined)
    c.require(m.cols === cols, `argument '${arg}' expected ${cols} columns but got [${m.rows}, ${m.cols}]`);
  return m;
}

/** The matrix as a `[rows, cols]` float32 tensor (the caller disposes it). */
export function matrixToTensor(m: AudioMatrix): tf.Tensor2D {
  checkMatrix('matrixToTensor', 'm', m);
  return tf.tensor2d(m.data, [m.rows, m.cols]);
}

/** The matrix as nested arrays, `rows[r][c]` (for figures and tables). */
export function matrixRows(m: AudioMatrix): number[][] {
  checkMatrix('matrixRows', 'm', m);
  const out: number[][] = [];
  for (let r = 0; r < m.rows; r++) out.push(Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));
  return out;
}

/** The transpose (e.g. `[frames, mels]` → `[mels, frames]` for a spectrogram image). */
export function transposeMatrix(m: AudioMatrix): AudioMatrix {
  checkMatrix('transposeMatrix', 'm', m);
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) out[c * m.rows + r] = m.data[r * m.cols + c];
  return { data: out, rows: m.cols, cols: m.rows };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value;
}
