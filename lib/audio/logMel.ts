/**
 * Mel spectrograms and log-mel features (Tacotron 2's input/target convention by default):
 *
 *   M[t, j] = Σ_k W[j, k]·|X[t, k]|^p,   logMel[t, j] = ln(max(M[t, j], floor)),
 *
 * with X the STFT (./stft), W the mel filterbank (./mel) and p = 1 (magnitude, Tacotron 2 /
 * NVIDIA's mel) or 2 (power, librosa's `melspectrogram` default). The floor (default 1e-5,
 * Tacotron 2's `clamp(min=1e-5)`) bounds the log of silent frames at ln 1e-5 ≈ −11.5.
 * Filterbanks and windows are built once per option set and reused.
 */
import { checkArgs } from '../core/validate';
import { AudioMatrix } from './matrix';
import { applyFilterbank, melFilterbank, MelOptions } from './mel';
import { magnitude, power, stft, StftOptions } from './stft';

export interface MelSpectrogramOptions extends StftOptions, Omit<MelOptions, 'nFft'> {
  /** 1: magnitude (default), 2: power. */
  power?: 1 | 2;
}

export interface LogMelOptions extends MelSpectrogramOptions {
  /** Values below the floor are raised to it before the log (default 1e-5). */
  floor?: number;
}

const filterbanks = new Map<string, AudioMatrix>();

/** The (cached) filterbank for these options. */
function cachedFilterbank(opts: MelOptions): AudioMatrix {
  const key = JSON.stringify([opts.sampleRate, opts.nFft, opts.nMels, opts.fMin, opts.fMax, opts.scale, opts.norm]);
  let fb = filterbanks.get(key);
  if (!fb) {
    fb = melFilterbank(opts);
    filterbanks.set(key, fb);
  }
  return fb;
}

/** The mel spectrogram `[frames, nMels]` (M in the module comment). */
export function melSpectrogram(signal: Float32Array | Float64Array, opts: MelSpectrogramOptions): AudioMatrix {
  const c = checkArgs('melSpectrogram');
  c.require(opts !== null && typeof opts === 'object', "argument 'opts' expected { sampleRate, nFft, nMels, hop?, win?, fMin?, fMax?, scale?, norm?, power? }");
  const p = opts.power ?? 1;
  c.require(p === 1 || p === 2, `argument 'power' expected 1 or 2 but got ${String(p)}`);
  const fb = cachedFilterbank({ sampleRate: opts.sampleRate, nFft: opts.nFft, nMels: opts.nMels, fMin: opts.fMin, fMax: opts.fMax, scale: opts.scale, norm: opts.norm });
  const spec = stft(signal, opts);
  return applyFilterbank(p === 1 ? magnitude(spec) : power(spec), fb);
}

/** Log-mel features `[frames, nMels]`: ln(max(M, floor)). */
export function logMel(signal: Float32Array | Float64Array, opts: LogMelOptions): AudioMatrix {
  const floor = opts?.floor ?? 1e-5;
  checkArgs('logMel').number('floor', floor, { min: 0, exclusiveMin: true });
  const m = melSpectrogram(signal, opts);
  const d = m.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.log(d[i] > floor ? d[i] : floor);
  return m;
}
