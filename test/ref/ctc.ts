/**
 * Plain float64 references for CTC (no tfjs, no log space): the forward recursion in
 * probability space (fine for the tiny T of the tests), and brute-force enumeration of
 * every frame-level path.
 */
import { F64 } from '../helpers';

function softmaxRow(z: Float64Array, o: number, C: number): number[] {
  let m = -Infinity;
  for (let k = 0; k < C; k++) m = Math.max(m, z[o + k]);
  const e = Array.from({ length: C }, (_, k) => Math.exp(z[o + k] - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** y[n][t][k] = softmax(logits[n, t])[k] for logits [N, T, C]. */
export function softmaxRef(logits: F64): number[][][] {
  const [N, T, C] = logits.shape;
  return Array.from({ length: N }, (_, n) =>
    Array.from({ length: T }, (_, t) => softmaxRow(logits.data, (n * T + t) * C, C)),
  );
}

/** p(label | y) by the α recursion in probability space, over the first Tn frames of y [T][C]. */
export function ctcProbRef(y: number[][], Tn: number, label: number[], blank: number): number {
  const ext = [blank];
  for (const k of label) ext.push(k, blank);
  const S = ext.length;
  let alpha = ext.map((k, s) => (s < 2 ? y[0][k] : 0));
  for (let t = 1; t < Tn; t++) {
    alpha = ext.map((k, s) => {
      let a = alpha[s] + (s >= 1 ? alpha[s - 1] : 0);
      if (s >= 2 && k !== blank && k !== ext[s - 2]) a += alpha[s - 2];
      return a * y[t][k];
    });
  }
  return alpha[S - 1] + (S > 1 ? alpha[S - 2] : 0);
}

/** −log p per sequence (float64), for logits [N, T, C]. */
export function ctcLossRef(logits: F64, labels: number[][], inputLengths: number[], blank = 0): F64 {
  const y = softmaxRef(logits);
  const N = logits.shape[0];
  const out = { data: new Float64Array(N), shape: [N] };
  for (let n = 0; n < N; n++) out.data[n] = -Math.log(ctcProbRef(y[n], inputLengths[n], labels[n], blank));
  return out;
}

/** B(π): merge repeats, drop blanks. */
export function collapseRef(path: number[], blank: number): string {
  const out: number[] = [];
  path.forEach((k, t) => {
    if (k !== blank && (t === 0 || path[t - 1] !== k)) out.push(k);
  });
  return out.join(',');
}

/**
 * Enumerates all C^T paths of one sequence y [T][C]: the probability of every labelling
 * (key: labels joined by ','), and the occupancy γ[t][k] of `label` (the posterior
 * probability that frame t emits k, among paths collapsing to `label`).
 */
export function bruteForceCtc(
  y: number[][],
  label: number[],
  blank: number,
): { byLabelling: Map<string, number>; p: number; gamma: number[][] } {
  const T = y.length,
    C = y[0].length;
  const byLabelling = new Map<string, number>();
  const key = label.join(',');
  const gamma = Array.from({ length: T }, () => new Array<number>(C).fill(0));
  const path = new Array<number>(T).fill(0);
  for (let code = 0; code < C ** T; code++) {
    let rest = code,
      prob = 1;
    for (let t = 0; t < T; t++) {
      path[t] = rest % C;
      rest = Math.floor(rest / C);
      prob *= y[t][path[t]];
    }
    const l = collapseRef(path, blank);
    byLabelling.set(l, (byLabelling.get(l) ?? 0) + prob);
    if (l === key) path.forEach((k, t) => (gamma[t][k] += prob));
  }
  const p = byLabelling.get(key) ?? 0;
  return { byLabelling, p, gamma: gamma.map((row) => row.map((v) => (p > 0 ? v / p : 0))) };
}
