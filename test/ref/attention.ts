/**
 * Independent float64 reference forwards for the attention family, in plain TypeScript
 * with explicit loops (no tfjs), used for forward checks and centred numeric gradients.
 * Masks here are F64 with 1 = visible key, 0 = masked, shape [N, Lq or 1, Lk].
 */
import { F64, f64, sigmoid } from '../../coursework/reference/numerics';

/** Scaled dot-product attention: out [N, Lq, dv], weights [N, Lq, Lk]. */
export function sdpaRef(Q: F64, K: F64, V: F64, mask?: F64): { out: F64; weights: F64 } {
  const [N, Lq, dk] = Q.shape;
  const Lk = K.shape[1];
  const dv = V.shape[2];
  const weights = f64([N, Lq, Lk]);
  const out = f64([N, Lq, dv]);
  const scale = 1 / Math.sqrt(dk);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < Lq; i++) {
      const visible = (j: number): boolean => {
        if (!mask) return true;
        const mi = mask.shape[1] === 1 ? 0 : i;
        return mask.data[(n * mask.shape[1] + mi) * Lk + j] !== 0;
      };
      const s: number[] = [];
      let max = -Infinity;
      for (let j = 0; j < Lk; j++) {
        let dot = 0;
        for (let d = 0; d < dk; d++) dot += Q.data[(n * Lq + i) * dk + d] * K.data[(n * Lk + j) * dk + d];
        s.push(dot * scale);
        if (visible(j)) max = Math.max(max, dot * scale);
      }
      let sum = 0;
      const e = s.map((v, j) => (visible(j) ? Math.exp(v - max) : 0));
      e.forEach((v) => (sum += v));
      for (let j = 0; j < Lk; j++) {
        const w = sum > 0 ? e[j] / sum : 0;
        weights.data[(n * Lq + i) * Lk + j] = w;
        for (let d = 0; d < dv; d++) out.data[(n * Lq + i) * dv + d] += w * V.data[(n * Lk + j) * dv + d];
      }
    }
  return { out, weights };
}

/** x·W + b for x [N, L, E], W [E, F], b [F] → [N, L, F]. */
function linear3(x: F64, W: F64, b: F64): F64 {
  const [N, L, E] = x.shape;
  const F = W.shape[1];
  const y = f64([N, L, F]);
  for (let r = 0; r < N * L; r++)
    for (let f = 0; f < F; f++) {
      let s = b.data[f];
      for (let e = 0; e < E; e++) s += x.data[r * E + e] * W.data[e * F + f];
      y.data[r * F + f] = s;
    }
  return y;
}

/** Head `h` of x [N, L, E] as [N, L, dh]. */
function head(x: F64, h: number, dh: number): F64 {
  const [N, L, E] = x.shape;
  const y = f64([N, L, dh]);
  for (let r = 0; r < N * L; r++) for (let d = 0; d < dh; d++) y.data[r * dh + d] = x.data[r * E + h * dh + d];
  return y;
}

export interface MhaParamsF64 {
  Wq: F64;
  bq: F64;
  Wk: F64;
  bk: F64;
  Wv: F64;
  bv: F64;
  Wo: F64;
  bo: F64;
}

/** Multi-head attention with projections: out [N, Lq, E], weights [N, heads, Lq, Lk]. */
export function mhaRef(q: F64, k: F64, v: F64, p: MhaParamsF64, heads: number, mask?: F64): { out: F64; weights: F64 } {
  const [N, Lq, E] = q.shape;
  const Lk = k.shape[1];
  const dh = E / heads;
  const Q = linear3(q, p.Wq, p.bq),
    K = linear3(k, p.Wk, p.bk),
    V = linear3(v, p.Wv, p.bv);
  const concat = f64([N, Lq, E]);
  const weights = f64([N, heads, Lq, Lk]);
  for (let h = 0; h < heads; h++) {
    const r = sdpaRef(head(Q, h, dh), head(K, h, dh), head(V, h, dh), mask);
    for (let row = 0; row < N * Lq; row++)
      for (let d = 0; d < dh; d++) concat.data[row * E + h * dh + d] = r.out.data[row * dh + d];
    for (let n = 0; n < N; n++)
      for (let i = 0; i < Lq * Lk; i++) weights.data[(n * heads + h) * Lq * Lk + i] = r.weights.data[n * Lq * Lk + i];
  }
  return { out: linear3(concat, p.Wo, p.bo), weights };
}

/** Layer norm over the last axis of x [..., D]. */
export function layerNormRef(x: F64, gamma: F64, beta: F64, eps = 1e-5): F64 {
  const D = gamma.data.length;
  const out = f64(x.shape);
  for (let r = 0; r < x.data.length / D; r++) {
    let mean = 0,
      variance = 0;
    for (let j = 0; j < D; j++) mean += x.data[r * D + j] / D;
    for (let j = 0; j < D; j++) variance += (x.data[r * D + j] - mean) ** 2 / D;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < D; j++) out.data[r * D + j] = gamma.data[j] * (x.data[r * D + j] - mean) * inv + beta.data[j];
  }
  return out;
}

/** One query h [N, H] over the spatial columns of A [N, H, P, P]: attn [N, H], weights [N, P, P]. */
export function dotProductAttentionRef(h: F64, A: F64): { attn: F64; weights: F64 } {
  const [N, H, P] = A.shape;
  const S = P * P;
  const attn = f64([N, H]);
  const weights = f64([N, P, P]);
  for (let n = 0; n < N; n++) {
    const s: number[] = [];
    for (let j = 0; j < S; j++) {
      let dot = 0;
      for (let d = 0; d < H; d++) dot += h.data[n * H + d] * A.data[(n * H + d) * S + j];
      s.push(dot / Math.sqrt(H));
    }
    const max = Math.max(...s);
    const e = s.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < S; j++) {
      weights.data[n * S + j] = e[j] / sum;
      for (let d = 0; d < H; d++) attn.data[n * H + d] += (e[j] / sum) * A.data[(n * H + d) * S + j];
    }
  }
  return { attn, weights };
}

/**
 * One attention-LSTM step (gate order i, f, o, g):
 * a = x·Wx + h·Wh + attn·Wattn + b; c' = σ(f)⊙c + σ(i)⊙tanh(g); h' = σ(o)⊙tanh(c').
 */
export function attentionLstmStepRef(
  x: F64,
  h: F64,
  c: F64,
  attn: F64,
  Wx: F64,
  Wh: F64,
  Wattn: F64,
  b: F64,
): { nextH: F64; nextC: F64 } {
  const [N, D] = x.shape;
  const H = h.shape[1];
  const nextH = f64([N, H]);
  const nextC = f64([N, H]);
  for (let n = 0; n < N; n++) {
    const a = Array.from(b.data);
    for (let g = 0; g < 4 * H; g++) {
      for (let d = 0; d < D; d++) a[g] += x.data[n * D + d] * Wx.data[d * 4 * H + g];
      for (let d = 0; d < H; d++)
        a[g] += h.data[n * H + d] * Wh.data[d * 4 * H + g] + attn.data[n * H + d] * Wattn.data[d * 4 * H + g];
    }
    for (let j = 0; j < H; j++) {
      const i = sigmoid(a[j]),
        f = sigmoid(a[H + j]),
        o = sigmoid(a[2 * H + j]),
        g = Math.tanh(a[3 * H + j]);
      const cn = f * c.data[n * H + j] + i * g;
      nextC.data[n * H + j] = cn;
      nextH.data[n * H + j] = o * Math.tanh(cn);
    }
  }
  return { nextH, nextC };
}

/** Attention LSTM over x [N, T, D] with h0 = c0 = spatial mean of A: h [N, T, H], attnWeights [N, T, P, P]. */
export function attentionLstmRef(x: F64, A: F64, Wx: F64, Wh: F64, Wattn: F64, b: F64): { h: F64; attnWeights: F64 } {
  const [N, T, D] = x.shape;
  const [, H, P] = A.shape;
  const S = P * P;
  let hPrev = f64([N, H]);
  for (let n = 0; n < N; n++)
    for (let d = 0; d < H; d++) {
      let s = 0;
      for (let j = 0; j < S; j++) s += A.data[(n * H + d) * S + j];
      hPrev.data[n * H + d] = s / S;
    }
  let cPrev = f64([N, H], hPrev.data);
  const h = f64([N, T, H]);
  const attnWeights = f64([N, T, P, P]);
  for (let t = 0; t < T; t++) {
    const xt = f64([N, D]);
    for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) xt.data[n * D + d] = x.data[(n * T + t) * D + d];
    const { attn, weights } = dotProductAttentionRef(hPrev, A);
    const { nextH, nextC } = attentionLstmStepRef(xt, hPrev, cPrev, attn, Wx, Wh, Wattn, b);
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < H; d++) h.data[(n * T + t) * H + d] = nextH.data[n * H + d];
      for (let j = 0; j < S; j++) attnWeights.data[(n * T + t) * S + j] = weights.data[n * S + j];
    }
    hPrev = nextH;
    cPrev = nextC;
  }
  return { h, attnWeights };
}

/** Location-sensitive attention, one step (float64): context [N, De] and alignment [N, L]. */
export function locationAttentionRef(
  query: F64,
  memory: F64,
  processed: F64,
  prev: F64,
  p: { Wq: F64; filters: F64; U: F64; w: F64; b: F64 },
  mask?: number[][],
): { context: F64; alignment: F64 } {
  const [N, L, De] = memory.shape;
  const [k, C, F] = p.filters.shape;
  const A = p.w.data.length;
  const pad = (k - 1) / 2;
  const q = matmulRef(query, p.Wq);
  const context = f64([N, De]);
  const alignment = f64([N, L]);
  for (let n = 0; n < N; n++) {
    const e = new Array<number>(L).fill(-Infinity);
    for (let i = 0; i < L; i++) {
      if (mask && !mask[n][i]) continue;
      const loc = new Array<number>(F).fill(0);
      for (let j = 0; j < k; j++) {
        const t = i + j - pad;
        if (t < 0 || t >= L) continue;
        for (let c = 0; c < C; c++)
          for (let f = 0; f < F; f++) loc[f] += prev.data[(n * L + t) * C + c] * p.filters.data[(j * C + c) * F + f];
      }
      let energy = 0;
      for (let a = 0; a < A; a++) {
        let pre = q.data[n * A + a] + processed.data[(n * L + i) * A + a] + p.b.data[a];
        for (let f = 0; f < F; f++) pre += loc[f] * p.U.data[f * A + a];
        energy += p.w.data[a] * Math.tanh(pre);
      }
      e[i] = energy;
    }
    const m = Math.max(...e);
    const ex = e.map((v) => (v === -Infinity ? 0 : Math.exp(v - m)));
    const z = ex.reduce((s, v) => s + v, 0);
    for (let i = 0; i < L; i++) {
      alignment.data[n * L + i] = ex[i] / z;
      for (let d = 0; d < De; d++) context.data[n * De + d] += (ex[i] / z) * memory.data[(n * L + i) * De + d];
    }
  }
  return { context, alignment };
}

function matmulRef(a: F64, b: F64): F64 {
  const [m, kk] = a.shape,
    n = b.shape[1];
  const out = f64([m, n]);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let t = 0; t < kk; t++) out.data[i * n + j] += a.data[i * kk + t] * b.data[t * n + j];
  return out;
}
