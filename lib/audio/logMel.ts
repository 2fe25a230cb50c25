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
import { filterSupport, melFilterbank, MelOptions } from './mel';
import { stftFrames, StftOptions } from './stft';

export interface MelSpectrogramOptions extends StftOptions, Omit<MelOptions, 'nFft'> {
  /** 1: magnitude (default), 2: power. */
  power?: 1 | 2;
}

export interface LogMelOptions extends MelSpectrogramOptions {
  /** Values below the floor are raised to it before the log (default 1e-5). */
  floor?: number;
}

const filterbanks = new Map<string, { fb: AudioMatrix; starts: Int32Array; ends: Int32Array }>();

/** The (cached) filterbank for these options, with each filter's non-zero run of bins. */
function cachedFilterbank(opts: MelOptions): { fb: AudioMatrix; starts: Int32Array; ends: Int32Array } {
  const key = JSON.stringify([opts.sampleRate, opts.nFft, opts.nMels, opts.fMin, opts.fMax, opts.scale, opts.norm]);
  let entry = filterbanks.get(key);
  if (!entry) {
    const fb = melFilterbank(opts);
    entry = { fb, ...filterSupport(fb) };
    filterbanks.set(key, entry);
  }
  return entry;
}

/**
 * The mel spectrogram `[frames, nMels]` (M in the module comment), frame by frame: each
 * frame's |X|^p goes through the filterbank's non-zero runs at once, so the complex spectrum
 * (≈ 1 MB for 3 s) is never allocated.
 */
export function melSpectrogram(signal: Float32Array | Float64Array, opts: MelSpectrogramOptions): AudioMatrix {
  const c = checkArgs('melSpectrogram');
  c.require(
    opts !== null && typeof opts === 'object',
    "argument 'opts' expected { sampleRate, nFft, nMels, hop?, win?, fMin?, fMax?, scale?, norm?, power? }",
  );
  const p = opts.power ?? 1;
  c.require(p === 1 || p === 2, `argument 'power' expected 1 or 2 but got ${String(p)}`);
  const { fb, starts, ends } = cachedFilterbank({
    sampleRate: opts.sampleRate,
    nFft: opts.nFft,
    nMels: opts.nMels,
    fMin: opts.fMin,
    fMax: opts.fMax,
    scale: opts.scale,
    norm: opts.norm,
  });
  const frames = stftFrames('melSpectrogram', signal, opts);
  const B = frames.bins;
  const M = fb.rows;
  const re = new Float32Array(B);
  const im = new Float32Array(B);
  const spec = new Float64Array(B);
  const out = new Float32Array(frames.frames * M);
  for (let t = 0; t < frames.frames; t++) {
    frames.spectrum(t, re, im, 0);
    for (let k = 0; k < B; k++) {
      const pw = re[k] * re[k] + im[k] * im[k];
      spec[k] = p === 2 ? pw : Math.sqrt(pw);
    }
    for (let j = 0; j < M; j++) {
      let acc = 0;
      const row = j * B;
      for (let k = starts[j]; k < ends[j]; k++) acc += fb.data[row + k] * spec[k];
      out[t * M + j] = acc;
    }
  }
  return { data: out, rows: frames.frames, cols: M };
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
