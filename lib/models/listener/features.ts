/**
 * What the automatic listener reads, and how speech that exists only as a log-mel spectrogram
 * (speech-single, or a TTS model's predicted mels) is brought to it.
 *
 * The listener is trained on `speech-speakers`, which ships 40-dim Kaldi-style log filterbank
 * energies (LFBE, 25 ms frames every 10 ms; lib/audio/fbank) and no waveforms, so its input
 * is LFBE, normalised per utterance (zero mean, unit variance per dimension):
 *
 *   listener input = CMVN(E),  E [T, 40] log filterbank energies.
 *
 * A log-mel spectrogram L [T₁, 80] (mel magnitudes or powers Mⱼ = Σ_k Wⱼₖ |X_k|^p with the
 * librosa-style filterbank W, frames every hop₁ samples) carries the same information at a
 * different frequency and time resolution. The conversion, with no phase reconstruction
 * (Griffin-Lim would recover a waveform, but the filterbank energies only need |X|²):
 *
 * 1. band averages: mⱼ = exp(Lⱼ) / Aⱼ with Aⱼ = Σ_k Wⱼₖ (a spectrum that is flat across
 *    filter j gives mⱼ = |X|^p exactly);
 * 2. back to a spectrum: at every frequency f of Kaldi's 512-point grid (f = k·16000/512),
 *    |X(f)|^p ≈ Σⱼ Wⱼ(f) mⱼ / Σⱼ Wⱼ(f) — the filters' own weights interpolate between band
 *    averages (non-negative, exact for flat spectra), Wⱼ(f) linear in f between FFT bins;
 * 3. power P(f) = (|X(f)|^p)^{2/p}, scaled by 32768² (Kaldi reads int16 samples: the same
 *    scale lib/audio's LFBE uses), then Kaldi's 40 triangles and the log with floor 2⁻²³:
 *    Eᵢ = ln max(Σ_f Bᵢ(f) P(f), 2⁻²³);
 * 4. time: Kaldi frame i is centred at i·10 ms + 12.5 ms, log-mel frame t (centred STFT) at
 *    t·hop₁/sr₁; E is linearly interpolated between the two nearest log-mel frames.
 *
 * Steps 1–3 are one fixed non-negative linear map from mel to filterbank energies per frame,
 * built once per mel configuration. The longer analysis window of a typical log-mel (e.g. 64 ms
 * against 25 ms) leaves the converted energies smoother in time than real LFBE; the listener's
 * training mixes in converted speech-single utterances so that it hears this domain too.
 */
import { checkArgs } from '../../core/validate';
import { AudioMatrix, checkMatrix } from '../../audio/matrix';
import { kaldiMelBanks } from '../../audio/fbank';
import { melFilterbank, MelScale } from '../../audio/mel';
import { normalizeUtterance } from '../../audio/normalizeUtterance';

/** The log-mel configuration a spectrogram was computed with (as in lib/audio's `logMel` options). */
export interface LogMelConfig {
  sampleRate: number;
  nFft: number;
  /** Samples between frames (default nFft/4, as the STFT). */
  hop?: number;
  nMels: number;
  fMin?: number;
  fMax?: number;
  scale?: MelScale;
  norm?: 'slaney' | null;
  /** 1: mel of magnitudes (default), 2: of powers. */
  power?: 1 | 2;
}

/** The listener's features: 40 LFBE, 10 ms frames (Kaldi-style at 16 kHz). */
export const LISTENER_FEATURES = {
  dims: 40,
  sampleRate: 16000,
  framesPerSecond: 100,
  description:
    '40-dim Kaldi-style log filterbank energies (logFilterbankEnergies defaults: ' +
    '25 ms frames every 10 ms, 16 kHz), normalised per utterance (normalizeUtterance)',
} as const;

const KALDI_FFT = 512;
const FLOOR = 2 ** -23;
const INT16_POWER = 32768 * 32768;

/** Sparse rows: for each output i, the inputs it reads and their weights. */
type SparseMap = { index: Int32Array[]; weight: Float64Array[] };

function sparseRows(dense: Float64Array, rows: number, cols: number): SparseMap {
  const index: Int32Array[] = [],
    weight: Float64Array[] = [];
  for (let i = 0; i < rows; i++) {
    const idx: number[] = [],
      w: number[] = [];
    for (let j = 0; j < cols; j++) if (dense[i * cols + j] !== 0) (idx.push(j), w.push(dense[i * cols + j]));
    index.push(Int32Array.from(idx));
    weight.push(Float64Array.from(w));
  }
  return { index, weight };
}

interface MelToFbankPlan {
  /** Kaldi grid bin k ← mel bands (steps 1–2): [256 × nMels]. */
  toSpectrum: SparseMap;
  /** Kaldi's 40 filters over the 256 bins (step 3). */
  banks: SparseMap;
  p: number;
}
const plans = new Map<string, MelToFbankPlan>();

function plan(cfg: LogMelConfig): MelToFbankPlan {
  const key = JSON.stringify(cfg);
  const cached = plans.get(key);
  if (cached) return cached;
  const { sampleRate, nFft, nMels } = cfg;
  const W = melFilterbank({
    sampleRate,
    nFft,
    nMels,
    fMin: cfg.fMin,
    fMax: cfg.fMax,
    scale: cfg.scale,
    norm: cfg.norm,
  });
  const bins = W.cols;
  const area = new Float64Array(nMels);
  for (let j = 0; j < nMels; j++) for (let k = 0; k < bins; k++) area[j] += W.data[j * bins + k];
  const K = KALDI_FFT / 2;
  const toSpectrum = new Float64Array(K * nMels);
  for (let k = 0; k < K; k++) {
    // Filter weights at f = k·16000/512, interpolated between the mel grid's FFT bins.
    const pos = ((k * LISTENER_FEATURES.sampleRate) / KALDI_FFT) * (nFft / sampleRate);
    const k0 = Math.min(Math.floor(pos), bins - 1),
      k1 = Math.min(k0 + 1, bins - 1),
      a = pos - Math.floor(pos);
    let total = 0;
    for (let j = 0; j < nMels; j++) {
      const w = (1 - a) * W.data[j * bins + k0] + a * W.data[j * bins + k1];
      toSpectrum[k * nMels + j] = area[j] > 0 ? w / area[j] : 0;
      total += w;
    }
    for (let j = 0; j < nMels; j++) toSpectrum[k * nMels + j] = total > 0 ? toSpectrum[k * nMels + j] / total : 0;
  }
  const B = kaldiMelBanks(LISTENER_FEATURES.sampleRate, KALDI_FFT, LISTENER_FEATURES.dims, 20, 0);
  const p: MelToFbankPlan = {
    toSpectrum: sparseRows(toSpectrum, K, nMels),
    banks: sparseRows(Float64Array.from(B.data), B.rows, B.cols),
    p: cfg.power ?? 1,
  };
  plans.set(key, p);
  return p;
}

/**
 * Log filterbank energies [T, 40] at 10 ms from a log-mel spectrogram [T₁, nMels] (steps 1–4 of
 * the module comment). Not normalised: pass the result to {@link listenerFeaturesFromLfbe}.
 */
export function logMelToLfbe(mel: AudioMatrix, cfg: LogMelConfig): AudioMatrix {
  const c = checkArgs('logMelToLfbe');
  c.require(
    cfg !== null && typeof cfg === 'object',
    "argument 'cfg' expected { sampleRate, nFft, hop?, nMels, fMin?, fMax?, scale?, norm?, power? }",
  );
  c.number('cfg.sampleRate', cfg.sampleRate, { min: 0, exclusiveMin: true })
    .number('cfg.nMels', cfg.nMels, { integer: true, min: 1 })
    .number('cfg.nFft', cfg.nFft, { integer: true, min: 2 });
  const m = checkMatrix('logMelToLfbe', 'mel', mel, cfg.nMels);
  const hop = cfg.hop ?? cfg.nFft / 4;
  c.number('cfg.hop', hop, { integer: true, min: 1 }).require(m.rows >= 1, "argument 'mel' has no frames");
  const { toSpectrum, banks, p } = plan(cfg);
  const D = LISTENER_FEATURES.dims,
    K = KALDI_FFT / 2,
    nMels = cfg.nMels;
  // Per log-mel frame: energies in the log domain (steps 1–3).
  const E1 = new Float64Array(m.rows * D);
  const P = new Float64Array(K);
  const bands = new Float64Array(nMels);
  for (let t = 0; t < m.rows; t++) {
    for (let j = 0; j < nMels; j++) bands[j] = Math.exp(m.data[t * nMels + j]);
    for (let k = 0; k < K; k++) {
      let x = 0;
      const idx = toSpectrum.index[k],
        w = toSpectrum.weight[k];
      for (let q = 0; q < idx.length; q++) x += w[q] * bands[idx[q]];
      P[k] = (p === 1 ? x * x : x) * INT16_POWER;
    }
    for (let i = 0; i < D; i++) {
      let e = 0;
      const idx = banks.index[i],
        w = banks.weight[i];
      for (let q = 0; q < idx.length; q++) e += w[q] * P[idx[q]];
      E1[t * D + i] = Math.log(e > FLOOR ? e : FLOOR);
    }
  }
  // Step 4: resample to Kaldi's frame times.
  const seconds = ((m.rows - 1) * hop) / cfg.sampleRate;
  const samples = Math.round(seconds * LISTENER_FEATURES.sampleRate);
  const T = Math.max(1, 1 + Math.floor((samples - 400) / 160));
  const out = new Float32Array(T * D);
  for (let i = 0; i < T; i++) {
    const pos = Math.min(((i * 0.01 + 0.0125) * cfg.sampleRate) / hop, m.rows - 1);
    const t0 = Math.floor(pos),
      t1 = Math.min(t0 + 1, m.rows - 1),
      a = pos - t0;
    for (let d = 0; d < D; d++) out[i * D + d] = (1 - a) * E1[t0 * D + d] + a * E1[t1 * D + d];
  }
  return { data: out, rows: T, cols: D };
}

/** The listener's input from log filterbank energies [T, 40]: per-utterance normalised. */
export function listenerFeaturesFromLfbe(lfbe: AudioMatrix): AudioMatrix {
  checkMatrix('listenerFeaturesFromLfbe', 'lfbe', lfbe, LISTENER_FEATURES.dims);
  return normalizeUtterance(lfbe);
}

/** The listener's input from a log-mel spectrogram (see the module comment). */
export function listenerFeaturesFromLogMel(mel: AudioMatrix, cfg: LogMelConfig): AudioMatrix {
  return normalizeUtterance(logMelToLfbe(mel, cfg));
}
