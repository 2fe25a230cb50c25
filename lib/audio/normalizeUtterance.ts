/**
 * Per-utterance mean and variance normalisation (CMVN over one utterance): for each feature
 * dimension d, over the T frames,
 *
 *   μ_d = (1/T) Σ_t x[t, d],   σ²_d = (1/T) Σ_t (x[t, d] − μ_d)²,   y[t, d] = (x[t, d] − μ_d) / √(σ²_d + ε).
 *
 * Removes the channel/loudness offset (a gain is an additive constant in log energies) and
 * scales every dimension to unit variance. ε (default 1e-8) keeps a constant dimension at 0.
 */
import { checkArgs } from '../core/validate';
import { AudioMatrix, checkMatrix } from './matrix';

/** Normalises each feature dimension of one utterance to zero mean, unit variance. */
export function normalizeUtterance(feats: AudioMatrix, opts: { eps?: number } = {}): AudioMatrix {
  const m = checkMatrix('normalizeUtterance', 'feats', feats);
  const eps = opts.eps ?? 1e-8;
  checkArgs('normalizeUtterance')
    .number('eps', eps, { min: 0 })
    .require(m.rows > 0, "argument 'feats' has no frames");
  const { rows: T, cols: D, data: x } = m;
  const mean = new Float64Array(D);
  const sq = new Float64Array(D);
  for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) mean[d] += x[t * D + d];
  for (let d = 0; d < D; d++) mean[d] /= T;
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < D; d++) {
      const v = x[t * D + d] - mean[d];
      sq[d] += v * v;
    }
  }
  const inv = sq.map((s) => 1 / Math.sqrt(s / T + eps));
  const out = new Float32Array(T * D);
  for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) out[t * D + d] = (x[t * D + d] - mean[d]) * inv[d];
  return { data: out, rows: T, cols: D };
}
