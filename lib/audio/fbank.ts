/**
 * Kaldi-style log mel filterbank energies (`compute-fbank-feats`), 40 bins at 25 ms / 10 ms by
 * default — the speech features of Khare et al. Exactly what is computed, per frame:
 *
 * 1. frames of L = ⌊sr·0.025⌋ samples every S = ⌊sr·0.010⌋ (400 / 160 at 16 kHz), whole frames
 *    only (`snip_edges=true`): T = 1 + ⌊(n − L)/S⌋; samples scaled by 32768 (Kaldi reads int16
 *    values, so our energies equal Kaldi's; ln 32768² ≈ 20.8 is the only effect of the scale);
 * 2. no dither (`dither=0`, deterministic);
 * 3. DC removal: x ← x − mean(x) (`remove_dc_offset=true`);
 * 4. pre-emphasis with a = 0.97: x[i] ← x[i] − a·x[i−1] for i ≥ 1, x[0] ← x[0] − a·x[0];
 * 5. the Povey window (Hann to the power 0.85, symmetric), see ./window;
 * 6. zero-padding to the next power of two (512), FFT, power |X[k]|² for k < 256 (Kaldi drops
 *    the Nyquist bin);
 * 7. nMels triangles equally spaced on Kaldi's mel scale m(f) = 1127·ln(1 + f/700) between
 *    lowFreq = 20 Hz and highFreq = sr/2, *linear in mel* (not in Hz as librosa):
 *    w_j(k) = (m(f_k) − m_j)/(m_{j+1} − m_j) rising, (m_{j+2} − m(f_k))/(m_{j+2} − m_{j+1}) falling,
 *    no area normalisation;
 * 8. E[t, j] = ln(max(Σ_k w_j(k)·|X[t, k]|², ε)) with ε = 2⁻²³ (float epsilon); no energy term.
 */
import { checkArgs } from '../core/validate';
import { requireNonEmptyFilters } from './mel';
import { realFft } from './fft';
import { frameCount } from './frame';
import { AudioMatrix, checkSignal } from './matrix';
import { filterSupport } from './mel';
import { namedWindow } from './window';

export interface FbankOptions {
  /** Number of mel bins (default 40). */
  nMels?: number;
  frameLengthMs?: number;
  frameShiftMs?: number;
  /** Pre-emphasis coefficient (default 0.97; 0 disables). */
  preemphasis?: number;
  /** Lowest filter edge in Hz (default 20). */
  lowFreq?: number;
  /** Highest edge in Hz; ≤ 0 means Nyquist + highFreq (default 0: Nyquist). */
  highFreq?: number;
  /** Multiplies the [-1, 1] samples first (default 32768, Kaldi's int16 scale). */
  waveformScale?: number;
}

const FLOAT_EPSILON = 2 ** -23;

/** Kaldi's mel scale: m(f) = 1127·ln(1 + f/700). */
export function kaldiMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

/** Kaldi's triangular filterbank `[nMels, paddedSize/2]` (step 7 of the module comment). */
export function kaldiMelBanks(
  sampleRate: number,
  paddedSize: number,
  nMels: number,
  lowFreq: number,
  highFreq: number,
): AudioMatrix {
  checkArgs('kaldiMelBanks')
    .number('sampleRate', sampleRate, { min: 0, exclusiveMin: true })
    .number('paddedSize', paddedSize, { integer: true, min: 2 })
    .require(paddedSize % 2 === 0, `argument 'paddedSize' expected an even FFT size but got ${paddedSize}`)
    .number('nMels', nMels, { integer: true, min: 1 })
    .number('lowFreq', lowFreq)
    .number('highFreq', highFreq);
  const nyquist = sampleRate / 2;
  const high = highFreq <= 0 ? nyquist + highFreq : highFreq;
  checkArgs('kaldiMelBanks').require(
    lowFreq >= 0 && lowFreq < high && high <= nyquist,
    `expected 0 <= lowFreq (${lowFreq}) < highFreq (${high}) <= Nyquist (${nyquist})`,
  );
  const bins = paddedSize / 2;
  const binWidth = sampleRate / paddedSize;
  const melLow = kaldiMel(lowFreq);
  const delta = (kaldiMel(high) - melLow) / (nMels + 1);
  const out = new Float32Array(nMels * bins);
  for (let j = 0; j < nMels; j++) {
    const left = melLow + j * delta;
    const center = left + delta;
    const right = center + delta;
    for (let k = 0; k < bins; k++) {
      const m = kaldiMel(binWidth * k);
      if (m > left && m < right)
        out[j * bins + k] = m <= center ? (m - left) / (center - left) : (right - m) / (right - center);
    }
  }
  requireNonEmptyFilters('kaldiMelBanks', out, nMels, bins, `paddedSize ${paddedSize}`);
  return { data: out, rows: nMels, cols: bins };
}

interface FbankPlan {
  L: number;
  S: number;
  padded: number;
  window: Float64Array;
  banks: AudioMatrix;
  starts: Int32Array;
  ends: Int32Array;
}
const plans = new Map<string, FbankPlan>();

/** Log filterbank energies `[frames, nMels]` (Kaldi-style; every step in the module comment). */
export function logFilterbankEnergies(
  signal: Float32Array | Float64Array,
  sampleRate: number,
  opts: FbankOptions = {},
): AudioMatrix {
  const c = checkArgs('logFilterbankEnergies');
  const x = checkSignal('logFilterbankEnergies', 'signal', signal);
  c.number('sampleRate', sampleRate, { min: 0, exclusiveMin: true });
  const nMels = opts.nMels ?? 40;
  const lenMs = opts.frameLengthMs ?? 25;
  const shiftMs = opts.frameShiftMs ?? 10;
  const a = opts.preemphasis ?? 0.97;
  const lowFreq = opts.lowFreq ?? 20;
  const highFreq = opts.highFreq ?? 0;
  const scale = opts.waveformScale ?? 32768;
  c.number('nMels', nMels, { integer: true, min: 1 })
    .number('frameLengthMs', lenMs, { min: 0, exclusiveMin: true })
    .number('frameShiftMs', shiftMs, { min: 0, exclusiveMin: true })
    .number('preemphasis', a, { min: 0, max: 1 })
    .number('lowFreq', lowFreq, { min: 0 })
    .number('highFreq', highFreq)
    .number('waveformScale', scale, { min: 0, exclusiveMin: true });

  const key = JSON.stringify([sampleRate, nMels, lenMs, shiftMs, lowFreq, highFreq]);
  let plan = plans.get(key);
  if (!plan) {
    const L = Math.floor(sampleRate * 0.001 * lenMs);
    const S = Math.floor(sampleRate * 0.001 * shiftMs);
    c.require(
      L >= 2 && S >= 1,
      `frames of ${lenMs} ms / ${shiftMs} ms at ${sampleRate} Hz are too short (${L} / ${S} samples)`,
    );
    let padded = 4;
    while (padded < L) padded *= 2;
    const banks = kaldiMelBanks(sampleRate, padded, nMels, lowFreq, highFreq);
    plan = { L, S, padded, window: Float64Array.from(namedWindow('povey', L)), banks, ...filterSupport(banks) };
    plans.set(key, plan);
  }
  const { L, S, padded, window, banks, starts, ends } = plan;
  const T = frameCount(x.length, L, S);
  c.require(T > 0, `argument 'signal' has ${x.length} samples, fewer than one ${lenMs} ms frame (${L} samples)`);
  const fft = realFft(padded);
  const B = banks.cols;
  const buf = new Float64Array(padded);
  const re = new Float32Array(fft.bins);
  const im = new Float32Array(fft.bins);
  const pow = new Float64Array(B);
  const out = new Float32Array(T * nMels);
  for (let t = 0; t < T; t++) {
    const start = t * S;
    let mean = 0;
    for (let i = 0; i < L; i++) mean += x[start + i];
    mean = (mean * scale) / L;
    for (let i = 0; i < L; i++) buf[i] = x[start + i] * scale - mean;
    for (let i = L - 1; i > 0; i--) buf[i] -= a * buf[i - 1];
    buf[0] -= a * buf[0];
    for (let i = 0; i < L; i++) buf[i] *= window[i];
    // buf[L …] stays zero: the padding.
    fft.forward(buf, re, im, 0);
    for (let k = 0; k < B; k++) pow[k] = re[k] * re[k] + im[k] * im[k];
    for (let j = 0; j < nMels; j++) {
      let e = 0;
      const row = j * B;
      for (let k = starts[j]; k < ends[j]; k++) e += banks.data[row + k] * pow[k];
      out[t * nMels + j] = Math.log(e > FLOAT_EPSILON ? e : FLOAT_EPSILON);
    }
  }
  return { data: out, rows: T, cols: nMels };
}
