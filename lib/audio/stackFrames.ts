/**
 * Frame stacking (low frame rate features, as Khare et al.: 5 × 40-dim log filterbank frames
 * → one 200-dim frame at a fifth of the 100 Hz rate):
 *
 *   out[u] = [x[u·k], x[u·k + 1], …, x[u·k + k − 1]],   u = 0 … ⌊T/k⌋ − 1,
 *
 * `[T, D] → [⌊T/k⌋, k·D]`; the last T mod k frames (< 50 ms at k = 5) are dropped.
 */
import { checkArgs } from '../core/validate';
import { AudioMatrix, checkMatrix } from './matrix';

/** Stacks k consecutive frames into one (see the module comment). */
export function stackFrames(feats: AudioMatrix, k = 5): AudioMatrix {
  const m = checkMatrix('stackFrames', 'feats', feats);
  const c = checkArgs('stackFrames').number('k', k, { integer: true, min: 1 });
  const U = Math.floor(m.rows / k);
  c.require(U > 0, `argument 'feats' has ${m.rows} frames, fewer than k = ${k}`);
  // Row-major: k consecutive rows of D are already k·D contiguous values.
  return { data: m.data.slice(0, U * k * m.cols), rows: U, cols: k * m.cols };
}
