/**
 * Spectral shape per frame, from a magnitude spectrogram S `[frames, bins]` (|stft|, bins
 * 0 … nFft/2 at f_k = k·sampleRate/nFft), as librosa:
 *
 *   centroid[t] = Σ_k f_k·S[t, k] / Σ_k S[t, k]                      (Hz; 0 for a silent frame)
 *   flatness[t] = exp((1/K) Σ_k ln P[t, k]) / ((1/K) Σ_k P[t, k]),   P = max(S², amin)
 *
 * Flatness is the geometric over the arithmetic mean of the power spectrum: near 1 for white
 * noise (flat), near 0 for a pure tone (all power in one bin).
 */
import { checkArgs } from '../core/validate';
import { AudioMatrix, checkMatrix } from './matrix';

/** Spectral centroid in Hz per frame. */
export function spectralCentroid(magnitude: AudioMatrix, sampleRate: number): Float32Array {
  const S = checkMatrix('spectralCentroid', 'magnitude', magnitude);
  checkArgs('spectralCentroid')
    .number('sampleRate', sampleRate, { min: 0, exclusiveMin: true })
    .require(S.cols >= 2, `argument 'magnitude' expected nFft/2 + 1 >= 2 bins but got ${S.cols}`);
  const binHz = sampleRate / (2 * (S.cols - 1));
  const out = new Float32Array(S.rows);
  for (let t = 0; t < S.rows; t++) {
    let num = 0;
    let den = 0;
    for (let k = 0; k < S.cols; k++) {
      const v = S.data[t * S.cols + k];
      num += k * binHz * v;
      den += v;
    }
    out[t] = den > 0 ? num / den : 0;
  }
  return out;
}

/** Spectral flatness in [0, 1] per frame (`amin` default 1e-10 floors the power). */
export function spectralFlatness(magnitude: AudioMatrix, opts: { amin?: number } = {}): Float32Array {
  const S = checkMatrix('spectralFlatness', 'magnitude', magnitude);
  const amin = opts.amin ?? 1e-10;
  checkArgs('spectralFlatness')
    .number('amin', amin, { min: 0, exclusiveMin: true })
    .require(S.cols > 0, "argument 'magnitude' has no bins");
  const out = new Float32Array(S.rows);
  for (let t = 0; t < S.rows; t++) {
    let logSum = 0;
    let sum = 0;
    for (let k = 0; k < S.cols; k++) {
      const v = S.data[t * S.cols + k];
      const p = Math.max(v * v, amin);
      logSum += Math.log(p);
      sum += p;
    }
    out[t] = Math.exp(logSum / S.cols) / (sum / S.cols);
  }
  return out;
}
