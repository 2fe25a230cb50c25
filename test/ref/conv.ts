/**
 * Independent float64 reference forwards for the convolution family, in plain TypeScript
 * with explicit loops over the defining sums (no im2col, no tfjs), for forward checks and
 * centred numeric gradients.
 */
import { F64, f64 } from '../../coursework/reference/numerics';

/** out[n,y,x,f] = b[f] + Σ_{i,j,c} xpad[n, y·s+i, x·s+j, c] · w[i,j,c,f]; x [N,H,W,C], w [KH,KW,C,F]. */
export function conv2dRef(x: F64, w: F64, b: F64, stride: number, pad: number): F64 {
  const [N, H, W, C] = x.shape;
  const [KH, KW, , F] = w.shape;
  const Ho = Math.floor((H + 2 * pad - KH) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - KW) / stride) + 1;
  const out = f64([N, Ho, Wo, F]);
  for (let n = 0; n < N; n++)
    for (let y = 0; y < Ho; y++)
      for (let xo = 0; xo < Wo; xo++)
        for (let f = 0; f < F; f++) {
          let s = b.data[f];
          for (let i = 0; i < KH; i++) {
            const r = y * stride + i - pad;
            if (r < 0 || r >= H) continue;
            for (let j = 0; j < KW; j++) {
              const col = xo * stride + j - pad;
              if (col < 0 || col >= W) continue;
              for (let c = 0; c < C; c++)
                s += x.data[((n * H + r) * W + col) * C + c] * w.data[((i * KW + j) * C + c) * F + f];
            }
          }
          out.data[((n * Ho + y) * Wo + xo) * F + f] = s;
        }
  return out;
}

/** out[n,y,x,c] = max over the PH×PW window at (y·s, x·s); x [N,H,W,C]. */
export function maxPoolRef(x: F64, PH: number, PW: number, stride: number): F64 {
  const [N, H, W, C] = x.shape;
  const Ho = Math.floor((H - PH) / stride) + 1;
  const Wo = Math.floor((W - PW) / stride) + 1;
  const out = f64([N, Ho, Wo, C]);
  for (let n = 0; n < N; n++)
    for (let y = 0; y < Ho; y++)
      for (let xo = 0; xo < Wo; xo++)
        for (let c = 0; c < C; c++) {
          let m = -Infinity;
          for (let i = 0; i < PH; i++)
            for (let j = 0; j < PW; j++)
              m = Math.max(m, x.data[((n * H + y * stride + i) * W + xo * stride + j) * C + c]);
          out.data[((n * Ho + y) * Wo + xo) * C + c] = m;
        }
  return out;
}

/** max(0, x) elementwise. */
export function reluRef(x: F64): F64 {
  return { data: x.data.map((v) => Math.max(0, v)), shape: [...x.shape] };
}
