/**
 * Mel scales and triangular mel filterbanks, following librosa's `mel` / `hz_to_mel`:
 *
 * - 'htk':    m(f) = 2595·log₁₀(1 + f/700).
 * - 'slaney': linear below 1 kHz, logarithmic above (Slaney's Auditory Toolbox, librosa's
 *   default): m(f) = 3f/200 for f < 1000, else 15 + ln(f/1000) / (ln 6.4 / 27).
 *
 * The filterbank: nMels + 2 points equally spaced in mel between m(fMin) and m(fMax), mapped
 * back to Hz, f₀ < f₁ < … < f_{nMels+1}; FFT bin k sits at k·sr/nFft Hz. Filter j is the
 * triangle rising from f_j to f_{j+1} and falling to f_{j+2}, linear *in Hz*:
 *
 *   W[j, k] = max(0, min((f(k) − f_j)/(f_{j+1} − f_j), (f_{j+2} − f(k))/(f_{j+2} − f_{j+1}))).
 *
 * `norm: 'slaney'` scales filter j by 2/(f_{j+2} − f_j) so each has unit area (constant energy
 * per channel); `norm: null` leaves peaks at 1. librosa's defaults are scale 'slaney', norm
 * 'slaney', fMin 0, fMax sr/2 — ours too.
 */
import { checkArgs } from '../core/validate';
import { AudioMatrix, checkMatrix } from './matrix';

export type MelScale = 'htk' | 'slaney';

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

/** Hz → mel on the given scale (see the module comment). */
export function hzToMel(hz: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

/** mel → Hz, the inverse of {@link hzToMel}. */
export function melToHz(mel: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 700 * (Math.pow(10, mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/**
 * The nMels + 2 band edges f₀ … f_{nMels+1} in Hz (equally spaced in mel); filter j peaks at
 * f_{j+1}, so `melEdges(...).slice(1, -1)` are the centre frequencies (a spectrogram's y axis).
 */
export function melEdges(opts: { nMels: number; fMin: number; fMax: number; scale?: MelScale }): Float64Array {
  const scale = opts.scale ?? 'slaney';
  checkArgs('melEdges')
    .number('nMels', opts.nMels, { integer: true, min: 1 })
    .number('fMin', opts.fMin, { min: 0 })
    .number('fMax', opts.fMax, { min: 0 })
    .require(opts.fMin < opts.fMax, `arguments 'fMin' (${opts.fMin}) and 'fMax' (${opts.fMax}) expected fMin < fMax`)
    .require(
      scale === 'htk' || scale === 'slaney',
      `argument 'scale' expected 'htk' or 'slaney' but got ${String(scale)}`,
    );
  const lo = hzToMel(opts.fMin, scale);
  const hi = hzToMel(opts.fMax, scale);
  const edges = new Float64Array(opts.nMels + 2);
  for (let j = 0; j < opts.nMels + 2; j++) edges[j] = melToHz(lo + ((hi - lo) * j) / (opts.nMels + 1), scale);
  return edges;
}

export interface MelOptions {
  sampleRate: number;
  nFft: number;
  nMels: number;
  /** Lowest edge in Hz (default 0). */
  fMin?: number;
  /** Highest edge in Hz (default sampleRate/2). */
  fMax?: number;
  /** Default 'slaney' (librosa's default, htk=False). */
  scale?: MelScale;
  /** Default 'slaney' (unit-area triangles); null for peak 1. */
  norm?: 'slaney' | null;
}

/** The mel filterbank `[nMels, nFft/2 + 1]` (formulas in the module comment). */
export function melFilterbank(opts: MelOptions): AudioMatrix {
  const c = checkArgs('melFilterbank');
  c.require(
    opts !== null && typeof opts === 'object',
    "argument 'opts' expected { sampleRate, nFft, nMels, fMin?, fMax?, scale?, norm? }",
  );
  const { sampleRate, nFft, nMels } = opts;
  c.number('sampleRate', sampleRate, { min: 0, exclusiveMin: true })
    .number('nFft', nFft, { integer: true, min: 2 })
    .number('nMels', nMels, { integer: true, min: 1 });
  const fMin = opts.fMin ?? 0;
  const fMax = opts.fMax ?? sampleRate / 2;
  c.number('fMin', fMin, { min: 0 })
    .number('fMax', fMax, { min: 0, max: sampleRate / 2 })
    .require(fMin < fMax, `arguments 'fMin' (${fMin}) and 'fMax' (${fMax}) expected fMin < fMax`);
  const scale = opts.scale ?? 'slaney';
  c.require(
    scale === 'htk' || scale === 'slaney',
    `argument 'scale' expected 'htk' or 'slaney' but got ${String(scale)}`,
  );
  const norm = opts.norm === undefined ? 'slaney' : opts.norm;
  c.require(norm === 'slaney' || norm === null, `argument 'norm' expected 'slaney' or null but got ${String(norm)}`);

  const bins = Math.floor(nFft / 2) + 1;
  const edges = melEdges({ nMels, fMin, fMax, scale });
  const out = new Float32Array(nMels * bins);
  for (let j = 0; j < nMels; j++) {
    const [f0, f1, f2] = [edges[j], edges[j + 1], edges[j + 2]];
    const gain = norm === 'slaney' ? 2 / (f2 - f0) : 1;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const w = Math.max(0, Math.min((f - f0) / (f1 - f0), (f2 - f) / (f2 - f1)));
      out[j * bins + k] = w * gain;
    }
  }
  requireNonEmptyFilters('melFilterbank', out, nMels, bins, `nFft ${nFft}`);
  return { data: out, rows: nMels, cols: bins };
}

/**
 * Throws when a filter of a [nMels, bins] filterbank has no non-zero weight: more filters than
 * the FFT resolves between fMin and fMax (narrow triangles fall between bins). Such a filter
 * would silently output 0 (−∞ after the log), so the error names nMels and the FFT size.
 */
export function requireNonEmptyFilters(fn: string, w: Float32Array, nMels: number, bins: number, fft: string): void {
  const empty: number[] = [];
  for (let j = 0; j < nMels; j++) {
    let any = false;
    for (let k = 0; k < bins && !any; k++) any = w[j * bins + k] > 0;
    if (!any) empty.push(j);
  }
  checkArgs(fn).require(
    empty.length === 0,
    `${empty.length} of the nMels = ${nMels} filters fall between the ${bins} FFT bins (${fft}) and would be ` +
      `all zero (first: filter ${empty[0]}): use fewer mels or a larger FFT`,
  );
}

/**
 * Applies a filterbank to a spectrogram: out[t, j] = Σ_k W[j, k]·S[t, k], i.e.
 * `[frames, bins] · [nMels, bins]ᵀ → [frames, nMels]`. Each filter touches only its non-zero
 * run of bins (a triangle spans a few bins), so this costs Σ_j width_j per frame, not nMels·bins.
 */
export function applyFilterbank(spec: AudioMatrix, filterbank: AudioMatrix): AudioMatrix {
  const fb = checkMatrix('applyFilterbank', 'filterbank', filterbank);
  const s = checkMatrix('applyFilterbank', 'spec', spec, fb.cols);
  const { starts, ends } = filterSupport(fb);
  const M = fb.rows;
  const B = fb.cols;
  const out = new Float32Array(s.rows * M);
  for (let t = 0; t < s.rows; t++) {
    const row = t * B;
    for (let j = 0; j < M; j++) {
      let acc = 0;
      const w = j * B;
      for (let k = starts[j]; k < ends[j]; k++) acc += fb.data[w + k] * s.data[row + k];
      out[t * M + j] = acc;
    }
  }
  return { data: out, rows: s.rows, cols: M };
}

/** For each filter (row), the half-open range [start, end) of its non-zero weights. */
export function filterSupport(fb: AudioMatrix): { starts: Int32Array; ends: Int32Array } {
  const starts = new Int32Array(fb.rows);
  const ends = new Int32Array(fb.rows);
  for (let j = 0; j < fb.rows; j++) {
    let s = fb.cols;
    let e = 0;
    for (let k = 0; k < fb.cols; k++) {
      if (fb.data[j * fb.cols + k] !== 0) {
        if (s === fb.cols) s = k;
        e = k + 1;
      }
    }
    starts[j] = Math.min(s, e);
    ends[j] = e;
  }
  return { starts, ends };
}
