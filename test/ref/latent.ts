/** Plain float64 references for the latent-model pieces: KL, AR-VAE loss, affine coupling (no tfjs). */
import { F64, f64, matmul, addBroadcast, map } from '../../coursework/reference/numerics';

export function gaussianKlRef(mu: F64, logVar: F64): number {
  let s = 0;
  for (let i = 0; i < mu.data.length; i++) s += mu.data[i] ** 2 + Math.exp(logVar.data[i]) - logVar.data[i] - 1;
  return s / 2 / mu.shape[0];
}

export function reparameterizeRef(mu: F64, logVar: F64, eps: F64): F64 {
  return map(mu, (m, i) => m + Math.exp(0.5 * logVar.data[i]) * eps.data[i]);
}

export function attributeRegularizationRef(z: F64, a: F64, delta: number): number {
  const N = z.data.length;
  let s = 0;
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++)
      s += Math.abs(Math.tanh(delta * (z.data[i] - z.data[j])) - Math.sign(a.data[i] - a.data[j]));
  return s / (N * N);
}

export type CouplingF64 = { W1: F64; b1: F64; Ws: F64; bs: F64; Wt: F64; bt: F64 };

/** y [N, D] and logDet [N] of the RealNVP affine coupling with mask b. */
export function affineCouplingRef(x: F64, b: number[], p: CouplingF64): { y: F64; logDet: F64 } {
  const [N, D] = x.shape;
  const kept = map(x, (v, i) => v * b[i % D]);
  const h = map(addBroadcast(matmul(kept, p.W1), p.b1), (v) => Math.max(v, 0));
  const s = map(addBroadcast(matmul(h, p.Ws), p.bs), Math.tanh);
  const t = addBroadcast(matmul(h, p.Wt), p.bt);
  const y = f64([N, D]);
  const logDet = f64([N]);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const i = n * D + d;
      y.data[i] = b[d] ? x.data[i] : x.data[i] * Math.exp(s.data[i]) + t.data[i];
      if (!b[d]) logDet.data[n] += s.data[i];
    }
  }
  return { y, logDet };
}

/** log|det J| of x ↦ y for one row, from a float64 central-difference Jacobian and LU elimination. */
export function numericLogDet(f: (row: number[]) => number[], row: number[], step = 1e-6): number {
  const D = row.length;
  const J = Array.from({ length: D }, () => new Array<number>(D).fill(0));
  for (let j = 0; j < D; j++) {
    const plus = row.slice(),
      minus = row.slice();
    plus[j] += step;
    minus[j] -= step;
    const yp = f(plus),
      ym = f(minus);
    for (let i = 0; i < D; i++) J[i][j] = (yp[i] - ym[i]) / (2 * step);
  }
  let logDet = 0;
  for (let k = 0; k < D; k++) {
    let pivot = k;
    for (let i = k + 1; i < D; i++) if (Math.abs(J[i][k]) > Math.abs(J[pivot][k])) pivot = i;
    [J[k], J[pivot]] = [J[pivot], J[k]];
    logDet += Math.log(Math.abs(J[k][k]));
    for (let i = k + 1; i < D; i++) {
      const factor = J[i][k] / J[k][k];
      for (let j = k; j < D; j++) J[i][j] -= factor * J[k][j];
    }
  }
  return logDet;
}
