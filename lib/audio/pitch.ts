/**
 * Fundamental frequency by YIN (de Cheveigné & Kawahara 2002). For the frame starting at s,
 * with integration window W and lags τ ≤ τ_max = ⌊sr/fMin⌋:
 *
 *   d(τ)  = Σ_{j<W} (x[s + j] − x[s + j + τ])²                   (difference function)
 *   d'(τ) = d(τ)·τ / Σ_{u=1}^{τ} d(u),  d'(0) = 1                 (cumulative mean normalised)
 *
 * τ* = the first lag in [τ_min, τ_max] (τ_min = ⌈sr/fMax⌉) where d' dips below `threshold`
 * (default 0.1), followed down to its local minimum; refined by parabolic interpolation of d'
 * around τ*; f0 = sr/τ*. A frame with no dip below the threshold is unvoiced (f0 = 0) and
 * reports min d' as its aperiodicity. Frames: length W + τ_max every `hop`, centred on t·hop
 * (zero padding), W = τ_max by default (two periods of the lowest f0 per frame).
 */
import { checkArgs } from '../core/validate';
import { frameCount, padSignal } from './frame';
import { checkSignal } from './matrix';

export interface YinOptions {
  sampleRate: number;
  /** Lowest and highest f0 searched, Hz (defaults 60 and 500: speech). */
  fMin?: number;
  fMax?: number;
  /** Hop in samples (default sampleRate/100: 10 ms). */
  hop?: number;
  /** Integration window in samples (default ⌊sr/fMin⌋). */
  window?: number;
  /** d' threshold for a voiced frame (default 0.1). */
  threshold?: number;
}

export interface PitchTrack {
  /** f0 in Hz per frame, 0 where unvoiced. */
  f0: Float32Array;
  /** 1 where voiced. */
  voiced: Uint8Array;
  /** d'(τ*) per frame: 0 for a perfectly periodic frame. */
  aperiodicity: Float32Array;
  /** Frame t is centred at t·hop/sampleRate seconds. */
  hop: number;
}

/** YIN f0 track (algorithm in the module comment). */
export function yinPitch(signal: Float32Array | Float64Array, opts: YinOptions): PitchTrack {
  const raw = checkSignal('yinPitch', 'signal', signal);
  const c = checkArgs('yinPitch');
  c.require(
    opts !== null && typeof opts === 'object',
    "argument 'opts' expected { sampleRate, fMin?, fMax?, hop?, window?, threshold? }",
  );
  const sr = opts.sampleRate;
  const fMin = opts.fMin ?? 60;
  const fMax = opts.fMax ?? 500;
  c.number('sampleRate', sr, { min: 0, exclusiveMin: true })
    .number('fMin', fMin, { min: 0, exclusiveMin: true })
    .number('fMax', fMax, { max: sr / 2 })
    .require(fMin < fMax, `arguments 'fMin' (${fMin}) and 'fMax' (${fMax}) expected fMin < fMax`);
  const tauMax = Math.floor(sr / fMin);
  const tauMin = Math.max(2, Math.ceil(sr / fMax));
  const W = opts.window ?? tauMax;
  const hop = opts.hop ?? Math.round(sr / 100);
  const threshold = opts.threshold ?? 0.1;
  c.number('window', W, { integer: true, min: 1 })
    .number('hop', hop, { integer: true, min: 1 })
    .number('threshold', threshold, { min: 0, exclusiveMin: true })
    .require(tauMin < tauMax, `the lag range [${tauMin}, ${tauMax}] from fMax/fMin at ${sr} Hz is empty`);
  const L = W + tauMax + 1;
  const x = padSignal(raw, L >> 1, 'constant');
  const T = frameCount(x.length, L, hop);
  c.require(T > 0, `argument 'signal' is too short for one YIN frame`);
  const f0 = new Float32Array(T);
  const voiced = new Uint8Array(T);
  const aperiodicity = new Float32Array(T);
  const d = new Float64Array(tauMax + 2);
  const dn = new Float64Array(tauMax + 2);
  for (let t = 0; t < T; t++) {
    const s = t * hop;
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      let acc = 0;
      for (let j = 0; j < W; j++) {
        const diff = x[s + j] - x[s + j + tau];
        acc += diff * diff;
      }
      d[tau] = acc;
    }
    dn[0] = 1;
    let running = 0;
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      running += d[tau];
      dn[tau] = running > 0 ? (d[tau] * tau) / running : 1;
    }
    let best = -1;
    for (let tau = tauMin; tau <= tauMax; tau++) {
      if (dn[tau] < threshold) {
        while (tau + 1 <= tauMax && dn[tau + 1] < dn[tau]) tau++;
        best = tau;
        break;
      }
    }
    if (best < 0) {
      let m = Infinity;
      for (let tau = tauMin; tau <= tauMax; tau++) m = Math.min(m, dn[tau]);
      aperiodicity[t] = m;
      continue;
    }
    // Parabola through (τ−1, τ, τ+1) of d'.
    const a = dn[best - 1];
    const b = dn[best];
    const cc = dn[best + 1];
    const den = a - 2 * b + cc;
    const shift = den > 0 ? (0.5 * (a - cc)) / den : 0;
    f0[t] = sr / (best + Math.max(-0.5, Math.min(0.5, shift)));
    voiced[t] = 1;
    aperiodicity[t] = b;
  }
  return { f0, voiced, aperiodicity, hop };
}
