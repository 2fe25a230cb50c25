/**
 * Analysis windows, as Float32Arrays of length `n`.
 *
 * - Hann, periodic (the default; scipy's `get_window('hann', n)`, librosa's STFT window):
 *   w[i] = 0.5 − 0.5·cos(2πi / n). Periodic Hann windows at hop n/4 (or n/2) overlap-add to a
 *   constant, which is what makes {@link istft} exact.
 * - Hann, symmetric: w[i] = 0.5 − 0.5·cos(2πi / (n − 1)).
 * - Hamming (Kaldi's, symmetric): w[i] = 0.54 − 0.46·cos(2πi / (n − 1)).
 * - Povey (Kaldi's default for filterbanks): w[i] = (0.5 − 0.5·cos(2πi / (n − 1)))^0.85.
 */
import { checkArgs } from '../core/validate';

export type WindowName = 'hann' | 'hamming' | 'povey' | 'rectangular';

/** A Hann window; `periodic` (default true) divides by n, otherwise by n − 1. */
export function hannWindow(n: number, opts: { periodic?: boolean } = {}): Float32Array {
  checkArgs('hannWindow').number('n', n, { integer: true, min: 1 });
  const periodic = opts.periodic ?? true;
  const denom = periodic ? n : n - 1;
  const w = new Float32Array(n);
  if (n === 1) return w.fill(1);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / denom);
  return w;
}

/** A window by name (symmetric for Hamming and Povey, as Kaldi; periodic Hann unless `periodic: false`). */
export function namedWindow(name: WindowName, n: number, opts: { periodic?: boolean } = {}): Float32Array {
  const c = checkArgs('namedWindow').number('n', n, { integer: true, min: 1 });
  if (name === 'hann') return hannWindow(n, opts);
  const w = new Float32Array(n);
  if (name === 'rectangular' || n === 1) return w.fill(1);
  const a = (2 * Math.PI) / (n - 1);
  if (name === 'hamming') {
    for (let i = 0; i < n; i++) w[i] = 0.54 - 0.46 * Math.cos(a * i);
  } else if (name === 'povey') {
    for (let i = 0; i < n; i++) w[i] = Math.pow(0.5 - 0.5 * Math.cos(a * i), 0.85);
  } else {
    c.require(false, `argument 'name' expected 'hann', 'hamming', 'povey' or 'rectangular' but got ${String(name)}`);
  }
  return w;
}
