/**
 * From a mel spectrogram back to a linear-frequency magnitude spectrogram (the first step of
 * Griffin-Lim from mel). The mel spectrogram is M = S^p·Wᵀ (`[frames, nMels]`, W the
 * `[nMels, bins]` filterbank, S the `[frames, bins]` magnitude, p = 1 or 2); there are more
 * bins than mels, so S is chosen per frame m (a row of M) as
 *
 * - `'nnls'` (default, librosa's `mel_to_stft`): argmin_{s ≥ 0} ½‖W s − m‖², by projected
 *   gradient with Nesterov momentum (FISTA) from the clipped pseudo-inverse solution, step 1/L
 *   with L = λ_max(WᵀW) (power iteration), `iterations` steps;
 * - `'pinv'`: s = max(0, W⁺ m) with W⁺ = Wᵀ(WWᵀ + δI)⁻¹ (δ = 1e-10·tr(WWᵀ)/nMels guards
 *   empty filters);
 *
 * then |X| = s^{1/p}.
 */
import { checkArgs } from '../core/validate';
import { AudioMatrix, checkMatrix } from './matrix';
import { filterSupport } from './mel';

export interface MelInverseOptions {
  /** 'nnls' (default) or 'pinv'. */
  method?: 'nnls' | 'pinv';
  /** The exponent p the mel spectrogram was built with (1 magnitude, default; 2 power). */
  power?: 1 | 2;
  /** Projected-gradient steps for 'nnls' (default 200). */
  iterations?: number;
}

/** W⁺ = Wᵀ(WWᵀ + δI)⁻¹ as a row-major `[bins, nMels]` Float64Array. */
export function filterbankPseudoInverse(fb: AudioMatrix): Float64Array {
  const { rows: M, cols: B, data: W } = checkMatrix('filterbankPseudoInverse', 'fb', fb);
  // G = WWᵀ + δI, then solve G·Z = W for Z = G⁻¹W ([M, B]) by Gauss–Jordan with partial pivoting.
  const G = new Float64Array(M * M);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      for (let k = 0; k < B; k++) acc += W[i * B + k] * W[j * B + k];
      G[i * M + j] = G[j * M + i] = acc;
    }
  }
  let trace = 0;
  for (let i = 0; i < M; i++) trace += G[i * M + i];
  const delta = (1e-10 * trace) / M;
  for (let i = 0; i < M; i++) G[i * M + i] += delta;
  const Z = Float64Array.from(W);
  for (let col = 0; col < M; col++) {
    let piv = col;
    for (let r = col + 1; r < M; r++) if (Math.abs(G[r * M + col]) > Math.abs(G[piv * M + col])) piv = r;
    if (piv !== col) {
      for (let c = 0; c < M; c++) [G[col * M + c], G[piv * M + c]] = [G[piv * M + c], G[col * M + c]];
      for (let c = 0; c < B; c++) [Z[col * B + c], Z[piv * B + c]] = [Z[piv * B + c], Z[col * B + c]];
    }
    const p = G[col * M + col];
    for (let c = 0; c < M; c++) G[col * M + c] /= p;
    for (let c = 0; c < B; c++) Z[col * B + c] /= p;
    for (let r = 0; r < M; r++) {
      if (r === col) continue;
      const f = G[r * M + col];
      if (f === 0) continue;
      for (let c = 0; c < M; c++) G[r * M + c] -= f * G[col * M + c];
      for (let c = 0; c < B; c++) Z[r * B + c] -= f * Z[col * B + c];
    }
  }
  // W⁺ = Zᵀ (G symmetric).
  const P = new Float64Array(B * M);
  for (let i = 0; i < M; i++) for (let k = 0; k < B; k++) P[k * M + i] = Z[i * B + k];
  return P;
}

/** Linear magnitude `[frames, bins]` from a mel spectrogram `[frames, nMels]` (methods in the module comment). */
export function melToLinear(mel: AudioMatrix, filterbank: AudioMatrix, opts: MelInverseOptions = {}): AudioMatrix {
  const fb = checkMatrix('melToLinear', 'filterbank', filterbank);
  const m = checkMatrix('melToLinear', 'mel', mel, fb.rows);
  const method = opts.method ?? 'nnls';
  const p = opts.power ?? 1;
  const iterations = opts.iterations ?? 200;
  const c = checkArgs('melToLinear')
    .require(
      method === 'nnls' || method === 'pinv',
      `argument 'method' expected 'nnls' or 'pinv' but got ${String(method)}`,
    )
    .require(p === 1 || p === 2, `argument 'power' expected 1 or 2 but got ${String(p)}`)
    .number('iterations', iterations, { integer: true, min: 0 });
  for (let i = 0; i < m.data.length; i++) {
    if (!(m.data[i] >= 0 && Number.isFinite(m.data[i])))
      c.require(
        false,
        `argument 'mel' expected non-negative finite values (a linear mel ` +
          `spectrogram: exp of a log-mel) but element ${i} is ${m.data[i]}`,
      );
  }
  const { rows: M, cols: B, data: W } = fb;
  const T = m.rows;
  const P = filterbankPseudoInverse(fb);
  const S = new Float64Array(T * B);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < B; k++) {
      let acc = 0;
      for (let j = 0; j < M; j++) acc += P[k * M + j] * m.data[t * M + j];
      S[t * B + k] = Math.max(0, acc);
    }
  }
  if (method === 'nnls' && iterations > 0) projectedGradient(S, m.data, W, T, M, B, iterations);
  const out = new Float32Array(T * B);
  for (let i = 0; i < out.length; i++) out[i] = p === 2 ? Math.sqrt(S[i]) : S[i];
  return { data: out, rows: T, cols: B };
}

interface Support {
  starts: Int32Array;
  ends: Int32Array;
}

/** λ_max(WᵀW) by power iteration (the Lipschitz constant of the NNLS gradient). */
function lipschitz(W: Float32Array, M: number, B: number, { starts, ends }: Support): number {
  let v = new Float64Array(B).fill(1 / Math.sqrt(B));
  let lambda = 0;
  const Wv = new Float64Array(M);
  for (let it = 0; it < 100; it++) {
    for (let j = 0; j < M; j++) {
      let acc = 0;
      for (let k = starts[j]; k < ends[j]; k++) acc += W[j * B + k] * v[k];
      Wv[j] = acc;
    }
    const next = new Float64Array(B);
    for (let j = 0; j < M; j++) for (let k = starts[j]; k < ends[j]; k++) next[k] += W[j * B + k] * Wv[j];
    let norm = 0;
    for (let k = 0; k < B; k++) norm += next[k] * next[k];
    norm = Math.sqrt(norm);
    if (norm === 0) return 1;
    lambda = norm;
    v = next.map((x) => x / norm);
  }
  return lambda;
}

/** FISTA on ½‖W s − m‖², s ≥ 0, for every frame, in place on S (all frames share W and L; W is applied sparsely). */
function projectedGradient(
  S: Float64Array,
  mel: Float32Array,
  W: Float32Array,
  T: number,
  M: number,
  B: number,
  iterations: number,
): void {
  const support = filterSupport({ data: W, rows: M, cols: B });
  const { starts, ends } = support;
  const step = 1 / lipschitz(W, M, B, support);
  const y = new Float64Array(B);
  const prev = new Float64Array(B);
  const r = new Float64Array(M);
  const grad = new Float64Array(B);
  for (let t = 0; t < T; t++) {
    const s = S.subarray(t * B, (t + 1) * B);
    y.set(s);
    prev.set(s);
    let tk = 1;
    for (let it = 0; it < iterations; it++) {
      for (let j = 0; j < M; j++) {
        let acc = -mel[t * M + j];
        for (let k = starts[j]; k < ends[j]; k++) acc += W[j * B + k] * y[k];
        r[j] = acc;
      }
      grad.fill(0);
      for (let j = 0; j < M; j++) {
        const rj = r[j];
        if (rj === 0) continue;
        for (let k = starts[j]; k < ends[j]; k++) grad[k] += W[j * B + k] * rj;
      }
      const tNext = (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
      const beta = (tk - 1) / tNext;
      for (let k = 0; k < B; k++) {
        const v = Math.max(0, y[k] - step * grad[k]);
        y[k] = v + beta * (v - prev[k]);
        prev[k] = v;
        s[k] = v;
      }
      tk = tNext;
    }
  }
}
