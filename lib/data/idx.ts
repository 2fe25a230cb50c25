/**
 * The IDX file format of (Fashion-)MNIST: a big-endian header — two zero bytes, a type
 * byte (0x08 = unsigned byte), the number of dimensions — then one uint32 size per
 * dimension, then the values row-major. Images are `[n, rows, cols]` (magic 0x00000803),
 * labels `[n]` (magic 0x00000801). Only unsigned-byte data is used here.
 */
import { DatasetError } from './datasetError';

/** An unsigned-byte n-d array read from (or written to) an IDX file. */
export interface IdxArray {
  data: Uint8Array;
  shape: number[];
}

const UBYTE = 0x08;

/** Parses IDX bytes; `file` names the source in errors (wrong magic, truncated, trailing bytes). */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DatasetError(file, `truncated IDX file: ${bytes.length} bytes, no header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >>> 8) & 0xff;
  const rank = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== UBYTE || rank < 1 || rank > 4) {
    throw new DatasetError(
      file,
      `wrong format: IDX magic 0x${magic.toString(16).padStart(8, '0')} is ` +
        `not unsigned-byte data of rank 1..4 (expected 0x00000801..0x00000804)`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes)
    throw new DatasetError(file, `truncated IDX file: header needs ${headerBytes} bytes, got ${bytes.length}`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const payload = bytes.length - headerBytes;
  if (payload < count)
    throw new DatasetError(
      file,
      `truncated IDX file: shape [${shape.join(', ')}] needs ${count} value bytes, got ${payload}`,
    );
  if (payload > count)
    throw new DatasetError(
      file,
      `wrong format: ${payload - count} bytes after the IDX data of shape [${shape.join(', ')}]`,
    );
  return { data: bytes.slice(headerBytes), shape };
}

/** Serialises an unsigned-byte array as IDX bytes (the inverse of {@link parseIdx}). */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { data, shape } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.length < 1 || shape.length > 4 || count !== data.length) {
    throw new DatasetError(
      'encodeIdx',
      `shape [${shape.join(', ')}] does not match ${data.length} values (rank must be 1..4)`,
    );
  }
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | shape.length);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * shape.length);
  return out;
}
