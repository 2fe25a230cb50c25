/**
 * Values sent between the grader's check process and the sandboxed process that runs the
 * student's code (Node IPC with `serialization: 'advanced'`, i.e. structured clone). A tensor
 * travels as `{ [TENSOR]: true, shape, dtype, data }` with its typed array; plain objects and
 * arrays travel member by member; numbers, strings, booleans, null and undefined as they are.
 * Anything else (functions, class instances other than tensors) is refused with its path.
 */
import * as tf from '@tensorflow/tfjs';

const TENSOR = '__tensor__';

interface WireTensor {
  [TENSOR]: true;
  shape: number[];
  dtype: tf.DataType;
  data: ArrayLike<number>;
}

function isWireTensor(v: unknown): v is WireTensor {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[TENSOR] === true;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `value` with every tensor replaced by its wire form (the tensors are read, not disposed). */
export function toWire(value: unknown, where = 'value'): unknown {
  if (value === null || value === undefined) return value;
  if (['number', 'string', 'boolean'].includes(typeof value)) return value;
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw new Error(`${where}: the tensor was already disposed`);
    const data = value.dtype === 'string' ? [] : Array.from(value.dataSync() as ArrayLike<number>);
    return { [TENSOR]: true, shape: value.shape, dtype: value.dtype, data } satisfies WireTensor;
  }
  if (Array.isArray(value)) return value.map((v, i) => toWire(v, `${where}[${i}]`));
  if (typeof value === 'object' && isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v, `${where}.${k}`)]));
  const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new Error(`${where}: a ${kind} cannot cross to or from the sandbox (tensors, arrays, plain objects only)`);
}

/** The inverse of `toWire`: new tensors for every wire tensor (the caller owns them). */
export function fromWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isWireTensor(value)) return tf.tensor(Array.from(value.data), value.shape, value.dtype);
  if (Array.isArray(value)) return value.map(fromWire);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
}
