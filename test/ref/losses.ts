/** Plain float64 reference forwards of the losses (no tfjs), for numeric gradients. */
import { F64 } from '../../coursework/reference/numerics';

export function softmaxCrossEntropyRef(z: F64, y: number[]): number {
  const [N, C] = z.shape;
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const row = Array.from(z.data.subarray(n * C, (n + 1) * C));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    loss += lse - row[y[n]];
  }
  return loss / N;
}

export function sigmoidBceRef(x: F64, y: F64, posWeight?: number[]): number {
  const [N, C] = x.shape;
  let loss = 0;
  for (let i = 0; i < N * C; i++) {
    const p = posWeight ? posWeight[i % C] : 1;
    const logSig = -Math.log1p(Math.exp(-x.data[i]));
    const logOneMinusSig = -Math.log1p(Math.exp(x.data[i]));
    loss += -(p * y.data[i] * logSig + (1 - y.data[i]) * logOneMinusSig);
  }
  return loss / (N * C);
}

export function distillationRef(s: F64, sHat: F64): number {
  const [N, T] = s.shape;
  let sum = 0;
  for (let i = 0; i < s.data.length; i++) sum += (s.data[i] - sHat.data[i]) ** 2;
  return sum / (N * T);
}

export function infoNceRef(a: F64, b: F64, tau: number): number {
  const [N, E] = a.shape;
  const unit = (m: F64, n: number): number[] => {
    const row = Array.from(m.data.subarray(n * E, (n + 1) * E));
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return row.map((v) => v / norm);
  };
  const A = Array.from({ length: N }, (_, n) => unit(a, n));
  const B = Array.from({ length: N }, (_, n) => unit(b, n));
  const S = A.map((ai) => B.map((bj) => ai.reduce((s, v, k) => s + v * bj[k], 0) / tau));
  const ce = (rows: number[][]): number =>
    rows.reduce((acc, row, n) => {
      const m = Math.max(...row);
      return acc + m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[n];
    }, 0);
  const St = S[0].map((_, j) => S.map((row) => row[j]));
  return (ce(S) + ce(St)) / (2 * N);
}
