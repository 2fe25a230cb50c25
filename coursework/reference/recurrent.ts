/** Plain float64 reference forwards of the affine/recurrent/embedding/temporal family (no tfjs). */
import { F64, f64, matmul, addBroadcast, map, sigmoid } from '../../coursework/reference/numerics';

/** Row t of x [N, T, D] as [N, D]. */
export function step(x: F64, t: number): F64 {
  const [N, T, D] = x.shape;
  const out = f64([N, D]);
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) out.data[n * D + d] = x.data[(n * T + t) * D + d];
  return out;
}

/** Stacks T arrays [N, H] into [N, T, H]. */
export function stackTime(hs: F64[]): F64 {
  const [N, H] = hs[0].shape;
  const T = hs.length;
  const out = f64([N, T, H]);
  hs.forEach((h, t) => {
    for (let n = 0; n < N; n++) for (let k = 0; k < H; k++) out.data[(n * T + t) * H + k] = h.data[n * H + k];
  });
  return out;
}

const add = (a: F64, b: F64): F64 => map(a, (v, i) => v + b.data[i]);

/** x [N, D]·w [D, M] + b [M]. */
export function affineRef(x: F64, w: F64, b: F64): F64 {
  return addBroadcast(matmul(x, w), b);
}

export function rnnStepRef(x: F64, h: F64, Wx: F64, Wh: F64, b: F64): F64 {
  return map(addBroadcast(add(matmul(x, Wx), matmul(h, Wh)), b), Math.tanh);
}

export function rnnRef(x: F64, h0: F64, Wx: F64, Wh: F64, b: F64): F64 {
  const hs: F64[] = [];
  let h = h0;
  for (let t = 0; t < x.shape[1]; t++) hs.push((h = rnnStepRef(step(x, t), h, Wx, Wh, b)));
  return stackTime(hs);
}

export function lstmStepRef(x: F64, h: F64, c: F64, Wx: F64, Wh: F64, b: F64): { h: F64; c: F64 } {
  const [N, H] = h.shape;
  const a = addBroadcast(add(matmul(x, Wx), matmul(h, Wh)), b);
  const nextC = f64([N, H]);
  const nextH = f64([N, H]);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < H; k++) {
      const at = (gate: number): number => a.data[n * 4 * H + gate * H + k];
      const i = sigmoid(at(0)),
        f = sigmoid(at(1)),
        o = sigmoid(at(2)),
        g = Math.tanh(at(3));
      nextC.data[n * H + k] = f * c.data[n * H + k] + i * g;
      nextH.data[n * H + k] = o * Math.tanh(nextC.data[n * H + k]);
    }
  }
  return { h: nextH, c: nextC };
}

export function lstmRef(x: F64, h0: F64, Wx: F64, Wh: F64, b: F64): F64 {
  const hs: F64[] = [];
  let h = h0;
  let c = f64(h0.shape);
  for (let t = 0; t < x.shape[1]; t++) {
    ({ h, c } = lstmStepRef(step(x, t), h, c, Wx, Wh, b));
    hs.push(h);
  }
  return stackTime(hs);
}

export function embeddingRef(x: number[][], W: F64): F64 {
  const [, D] = W.shape;
  const N = x.length,
    T = x[0].length;
  const out = f64([N, T, D]);
  for (let n = 0; n < N; n++)
    for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) out.data[(n * T + t) * D + d] = W.data[x[n][t] * D + d];
  return out;
}

export function temporalAffineRef(x: F64, w: F64, b: F64): F64 {
  const [N, T, D] = x.shape;
  const out = affineRef(f64([N * T, D], x.data), w, b);
  return f64([N, T, w.shape[1]], out.data);
}

export function temporalSoftmaxLossRef(x: F64, y: number[][], mask: number[][]): number {
  const [N, T, V] = x.shape;
  let loss = 0;
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      if (!mask[n][t]) continue;
      const row = Array.from(x.data.subarray((n * T + t) * V, (n * T + t + 1) * V));
      const m = Math.max(...row);
      loss += m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[y[n][t]];
    }
  }
  return loss / N;
}

/** GRU step, reset-after form: r, z, n from a = x·Wx + b and g = h·Wh (gate blocks r|z|n). */
export function gruStepRef(x: F64, h: F64, Wx: F64, Wh: F64, b: F64): F64 {
  const [N, H] = h.shape;
  const a = addBroadcast(matmul(x, Wx), b);
  const g = matmul(h, Wh);
  const next = f64([N, H]);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < H; k++) {
      const at = (m: F64, gate: number): number => m.data[n * 3 * H + gate * H + k];
      const r = sigmoid(at(a, 0) + at(g, 0)),
        z = sigmoid(at(a, 1) + at(g, 1));
      const cand = Math.tanh(at(a, 2) + r * at(g, 2));
      next.data[n * H + k] = (1 - z) * cand + z * h.data[n * H + k];
    }
  }
  return next;
}

export function gruRef(x: F64, h0: F64, Wx: F64, Wh: F64, b: F64): F64 {
  const hs: F64[] = [];
  let h = h0;
  for (let t = 0; t < x.shape[1]; t++) hs.push((h = gruStepRef(step(x, t), h, Wx, Wh, b)));
  return stackTime(hs);
}
