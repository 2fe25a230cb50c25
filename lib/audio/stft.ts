/**
 * Short-time Fourier transform and its inverse (librosa's conventions).
 *
 * With window w (length `win`, zero-padded to nFft and centred in it), hop H and the signal x
 * padded by ⌊nFft/2⌋ on each side when `center` (so frame t is centred on sample t·H):
 *
 *   X[t, k] = Σ_{i<nFft} w[i]·x[t·H + i]·e^{−2πi·ik/nFft},   k = 0 … nFft/2,
 *
 * a `[frames, nFft/2 + 1]` complex spectrum with frames = 1 + ⌊n/H⌋ (centred) or
 * 1 + ⌊(n − nFft)/H⌋. No scaling (scipy's `stft` divides by Σw; librosa and torch do not).
 * The FFT is `fft.js` (see ./fft): nFft must be a power of two.
 */
import { checkArgs } from '../core/validate';
import { realFft } from './fft';
import { frameCount, padSignal } from './frame';
import { AudioMatrix, checkSignal } from './matrix';
import { namedWindow, WindowName } from './window';

/** A complex spectrogram: bin (t, k) is `re[t·bins + k] + i·im[t·bins + k]`. */
export interface ComplexSpectrum {
  readonly re: Float32Array;
  readonly im: Float32Array;
  readonly frames: number;
  readonly bins: number;
}

export interface StftOptions {
  /** FFT size, a power of two. */
  nFft: number;
  /** Hop between frames in samples (default nFft/4). */
  hop?: number;
  /** Window length in samples, ≤ nFft (default nFft). */
  win?: number;
  /** Window name (default periodic 'hann') or the window itself (length `win`). */
  window?: WindowName | Float32Array;
  /** Pad by ⌊nFft/2⌋ each side so frame t is centred on sample t·hop (default true). */
  center?: boolean;
  /** Padding when centred: 'constant' zeros (default, librosa ≥ 0.10) or 'reflect' (torch, older librosa). */
  padMode?: 'reflect' | 'constant';
}

interface ResolvedStft {
  nFft: number;
  hop: number;
  win: number;
  /** The window zero-padded and centred in nFft samples. */
  window: Float64Array;
  center: boolean;
  padMode: 'reflect' | 'constant';
}

/** Validates STFT options and builds the padded window. */
export function resolveStftOptions(fn: string, opts: StftOptions): ResolvedStft {
  const c = checkArgs(fn);
  c.require(
    opts !== null && typeof opts === 'object',
    "argument 'opts' expected { nFft, hop?, win?, window?, center? }",
  );
  const nFft = opts.nFft;
  c.number('nFft', nFft, { integer: true, min: 4 }).require(
    (nFft & (nFft - 1)) === 0,
    `argument 'nFft' expected a power of two but got ${nFft}`,
  );
  const hop = opts.hop ?? nFft / 4;
  const win = opts.win ?? (opts.window instanceof Float32Array ? opts.window.length : nFft);
  c.number('hop', hop, { integer: true, min: 1 }).number('win', win, { integer: true, min: 1, max: nFft });
  let w: Float32Array;
  if (opts.window instanceof Float32Array) {
    c.require(
      opts.window.length === win,
      `argument 'window' expected length win = ${win} but got ${opts.window.length}`,
    );
    w = opts.window;
  } else {
    w = namedWindow(opts.window ?? 'hann', win);
  }
  const window = new Float64Array(nFft);
  const left = Math.floor((nFft - win) / 2);
  for (let i = 0; i < win; i++) window[left + i] = w[i];
  const padMode = opts.padMode ?? 'constant';
  c.require(
    padMode === 'constant' || padMode === 'reflect',
    `argument 'padMode' expected 'constant' or 'reflect' but got ${String(padMode)}`,
  );
  return { nFft, hop, win, window, center: opts.center ?? true, padMode };
}

/** One signal ready for the STFT: its frame count, and frame t's spectrum on demand. */
export interface StftFrames {
  frames: number;
  bins: number;
  /** Writes X[t, k], k < bins, to `re[offset + k]`, `im[offset + k]`. */
  spectrum(t: number, re: Float32Array, im: Float32Array, offset: number): void;
}

/**
 * {@link stft} frame by frame: features that reduce each frame at once (./logMel) use it to
 * avoid allocating the whole complex spectrum. `fn` names the caller in errors.
 */
export function stftFrames(fn: string, signal: Float32Array | Float64Array, opts: StftOptions): StftFrames {
  const o = resolveStftOptions(fn, opts);
  const raw = checkSignal(fn, 'signal', signal);
  const x = o.center ? padSignal(raw, o.nFft >> 1, o.padMode) : raw;
  const frames = frameCount(x.length, o.nFft, o.hop);
  checkArgs(fn).require(
    frames > 0,
    `argument 'signal' has ${raw.length} samples, fewer than nFft = ${o.nFft} (use center: true or a smaller nFft)`,
  );
  const plan = realFft(o.nFft);
  const buf = new Float64Array(o.nFft);
  const w = o.window;
  return {
    frames,
    bins: plan.bins,
    spectrum(t, re, im, offset) {
      const start = t * o.hop;
      for (let i = 0; i < o.nFft; i++) buf[i] = w[i] * x[start + i];
      plan.forward(buf, re, im, offset);
    },
  };
}

/** The complex STFT `[frames, nFft/2 + 1]` of a mono signal (formula in the module comment). */
export function stft(signal: Float32Array | Float64Array, opts: StftOptions): ComplexSpectrum {
  const f = stftFrames('stft', signal, opts);
  const re = new Float32Array(f.frames * f.bins);
  const im = new Float32Array(f.frames * f.bins);
  for (let t = 0; t < f.frames; t++) f.spectrum(t, re, im, t * f.bins);
  return { re, im, frames: f.frames, bins: f.bins };
}

export interface IstftOptions extends Omit<StftOptions, 'nFft'> {
  /**
   * Trim or zero-pad the output to this many samples (default as librosa: (frames − 1)·hop when centred,
   * nFft + (frames − 1)·hop otherwise).
   */
  length?: number;
}

/**
 * The inverse STFT by weighted overlap-add (librosa's `istft`): each frame's inverse FFT is
 * multiplied by the window, summed at its position, and the sum divided by Σ_t w²[n − t·H]
 * wherever that is non-negligible:
 *
 *   y[n] = Σ_t w[n − tH]·irfft(X[t])[n − tH] / Σ_t w²[n − tH].
 *
 * istft(stft(x)) = x up to float32 rounding for the same options (with `length: x.length`).
 * nFft is 2·(bins − 1) of the spectrum.
 */
export function istft(spec: ComplexSpectrum, opts: IstftOptions = {}): Float32Array {
  const c = checkArgs('istft');
  checkSpectrum('istft', 'spec', spec);
  const nFft = 2 * (spec.bins - 1);
  const o = resolveStftOptions('istft', { ...opts, nFft });
  const plan = realFft(nFft);
  const total = nFft + o.hop * (spec.frames - 1);
  const y = new Float64Array(total);
  const wsum = new Float64Array(total);
  const frameOut = new Float64Array(nFft);
  const w = o.window;
  for (let t = 0; t < spec.frames; t++) {
    plan.inverse(spec.re, spec.im, t * spec.bins, frameOut);
    const start = t * o.hop;
    for (let i = 0; i < nFft; i++) {
      y[start + i] += w[i] * frameOut[i];
      wsum[start + i] += w[i] * w[i];
    }
  }
  const tiny = 1e-10;
  const offset = o.center ? nFft >> 1 : 0;
  const natural = o.center ? total - 2 * offset : total;
  const length = opts.length ?? natural;
  c.number('length', length, { integer: true, min: 0 });
  const out = new Float32Array(length);
  const n = Math.min(length, total - offset);
  for (let i = 0; i < n; i++) {
    const s = wsum[offset + i];
    out[i] = s > tiny ? y[offset + i] / s : y[offset + i];
  }
  return out;
}

/** |X[t, k]| as a `[frames, bins]` matrix. */
export function magnitude(spec: ComplexSpectrum): AudioMatrix {
  checkSpectrum('magnitude', 'spec', spec);
  const out = new Float32Array(spec.re.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(spec.re[i] * spec.re[i] + spec.im[i] * spec.im[i]);
  return { data: out, rows: spec.frames, cols: spec.bins };
}

/** |X[t, k]|² as a `[frames, bins]` matrix. */
export function power(spec: ComplexSpectrum): AudioMatrix {
  checkSpectrum('power', 'spec', spec);
  const out = new Float32Array(spec.re.length);
  for (let i = 0; i < out.length; i++) out[i] = spec.re[i] * spec.re[i] + spec.im[i] * spec.im[i];
  return { data: out, rows: spec.frames, cols: spec.bins };
}

/** Checks a {@link ComplexSpectrum} argument. */
export function checkSpectrum(fn: string, arg: string, spec: unknown): ComplexSpectrum {
  const s = spec as ComplexSpectrum;
  const ok =
    s !== null &&
    typeof s === 'object' &&
    s.re instanceof Float32Array &&
    s.im instanceof Float32Array &&
    Number.isInteger(s.frames) &&
    Number.isInteger(s.bins) &&
    s.re.length === s.frames * s.bins &&
    s.im.length === s.re.length;
  checkArgs(fn).require(
    ok,
    `argument '${arg}' expected a ComplexSpectrum { re, im: Float32Array(frames·bins), ` +
      `frames, bins } but got ${s === null ? 'null' : typeof s}`,
  );
  checkArgs(fn).require(
    s.bins >= 3 && ((s.bins - 1) & (s.bins - 2)) === 0,
    `argument '${arg}' expected bins = nFft/2 + 1 with nFft a power of two but got ${s.bins} bins`,
  );
  return s;
}
