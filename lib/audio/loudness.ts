/**
 * Frame-wise RMS loudness in decibels (librosa's `rms` followed by `amplitude_to_db` with ref 1):
 *
 *   rms[t] = √((1/L) Σ_{i<L} x[t·H + i]²),   dB[t] = 20·log₁₀(max(rms[t], 10^{floorDb/20})),
 *
 * over frames of L samples every H, the signal zero-padded by ⌊L/2⌋ on each side when `center`
 * (default, so frame t is centred on sample t·H, like the STFT's frames). A full-scale sine has
 * rms 1/√2, i.e. −3.01 dB; digital silence gives `floorDb` (default −100 dB).
 */
import { checkArgs } from '../core/validate';
import { frameCount, padSignal } from './frame';
import { checkSignal } from './matrix';

export interface RmsOptions {
  /** Frame length in samples (default 1024). */
  frameLength?: number;
  /** Hop in samples (default frameLength/4). */
  hop?: number;
  center?: boolean;
  /** Lowest reported level (default −100 dB). */
  floorDb?: number;
}

/** RMS level per frame in dB re full scale (formula in the module comment). */
export function rmsDb(signal: Float32Array | Float64Array, opts: RmsOptions = {}): Float32Array {
  const raw = checkSignal('rmsDb', 'signal', signal);
  const L = opts.frameLength ?? 1024;
  const c = checkArgs('rmsDb').number('frameLength', L, { integer: true, min: 1 });
  const H = opts.hop ?? Math.max(1, Math.floor(L / 4));
  const floorDb = opts.floorDb ?? -100;
  c.number('hop', H, { integer: true, min: 1 }).number('floorDb', floorDb);
  const x = (opts.center ?? true) ? padSignal(raw, L >> 1, 'constant') : raw;
  const T = frameCount(x.length, L, H);
  c.require(T > 0, `argument 'signal' has ${raw.length} samples, fewer than one frame of ${L} (use center: true)`);
  const floor = Math.pow(10, floorDb / 20);
  const out = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    let acc = 0;
    for (let i = t * H; i < t * H + L; i++) acc += x[i] * x[i];
    out[t] = 20 * Math.log10(Math.max(Math.sqrt(acc / L), floor));
  }
  return out;
}
