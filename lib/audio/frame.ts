/**
 * Cutting a signal into overlapping frames, and the padding used by a centred STFT.
 *
 * frame(x, L, hop)[t, i] = x[t·hop + i], t = 0 … T − 1 with T = 1 + ⌊(n − L) / hop⌋ (0 when n < L):
 * only whole frames, as numpy/librosa `frame` and Kaldi's `snip_edges=true`.
 */
import { checkArgs } from '../core/validate';
import { AudioMatrix, checkSignal } from './matrix';

/** Number of whole frames of length `frameLength` at `hop` in `n` samples. */
export function frameCount(n: number, frameLength: number, hop: number): number {
  return n < frameLength ? 0 : 1 + Math.floor((n - frameLength) / hop);
}

/** Frames `[T, frameLength]` of `signal` (see the module comment for T). */
export function frame(signal: Float32Array | Float64Array, frameLength: number, hop: number): AudioMatrix {
  checkArgs('frame')
    .number('frameLength', frameLength, { integer: true, min: 1 })
    .number('hop', hop, { integer: true, min: 1 });
  const x = checkSignal('frame', 'signal', signal, 0);
  const T = frameCount(x.length, frameLength, hop);
  const out = new Float32Array(T * frameLength);
  for (let t = 0; t < T; t++) out.set(x.subarray(t * hop, t * hop + frameLength), t * frameLength);
  return { data: out, rows: T, cols: frameLength };
}

/**
 * `signal` padded by `pad` samples on each side: `'reflect'` mirrors without repeating the edge
 * sample (numpy's `np.pad(x, pad, 'reflect')`, needs pad < n), `'constant'` pads with zeros.
 */
export function padSignal(
  signal: Float32Array | Float64Array,
  pad: number,
  mode: 'reflect' | 'constant',
): Float32Array {
  const c = checkArgs('padSignal').number('pad', pad, { integer: true, min: 0 });
  const x = checkSignal('padSignal', 'signal', signal, 0);
  const n = x.length;
  const out = new Float32Array(n + 2 * pad);
  out.set(x, pad);
  if (mode === 'reflect') {
    c.require(
      pad < n,
      `reflect padding by ${pad} needs more than ${pad} samples but the signal has ${n} (use padMode 'constant')`,
    );
    for (let i = 1; i <= pad; i++) {
      out[pad - i] = x[i];
      out[pad + n - 1 + i] = x[n - 1 - i];
    }
  } else {
    c.require(mode === 'constant', `argument 'mode' expected 'reflect' or 'constant' but got ${String(mode)}`);
  }
  return out;
}
