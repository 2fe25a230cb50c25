/**
 * Connectionist temporal classification (Graves et al., 2006), derived by hand.
 *
 * A network emits, at every frame t < T, a distribution y_t = softmax(u_t) over C symbols:
 * the C − 1 labels plus a *blank* (no output). A frame-level path π ∈ {0..C−1}^T is read
 * as a label sequence by the collapse map B: merge runs of equal symbols, then drop blanks
 * (B(a a ∅ a b b) = a a b — a blank between two a's keeps them apart). CTC's likelihood of
 * a label sequence l (length L) sums over every path that collapses to it:
 *
 *   p(l | u) = Σ_{π ∈ B⁻¹(l)} Π_t y_t(π_t),        loss = −log p(l | u).
 *
 * **The lattice.** Insert blanks around and between the labels: l' = (∅, l₁, ∅, l₂, …, l_L, ∅),
 * S = 2L + 1 states. A path through B⁻¹(l) is a walk through (t, s) that starts in s = 0 or 1,
 * ends in s = S − 1 or S − 2, and at each frame either stays (s → s), moves to the next
 * state (s → s + 1), or skips a blank (s → s + 2) — the skip is allowed only when l'_{s+2}
 * is a label different from l'_s (between two equal labels the blank is mandatory).
 *
 * **Forward variables** α_t(s) = total probability of the path prefixes that are in state s
 * after emitting frames 0..t (emission at t included):
 *
 *   α_0(0) = y_0(∅),  α_0(1) = y_0(l₁),  α_0(s) = 0 for s ≥ 2
 *   α_t(s) = y_t(l'_s) · [α_{t−1}(s) + α_{t−1}(s−1) + skip(s) · α_{t−1}(s−2)]
 *   skip(s) = [l'_s ≠ ∅ and l'_s ≠ l'_{s−2}]
 *
 * **Backward variables** β_t(s) = total probability of the path suffixes from state s at t to
 * the end, emissions *after* t only (so that α_t(s)·β_t(s) counts each path through (t, s) once):
 *
 *   β_{T−1}(S−1) = β_{T−1}(S−2) = 1,  others 0
 *   β_t(s) = y_{t+1}(l'_s) β_{t+1}(s) + y_{t+1}(l'_{s+1}) β_{t+1}(s+1) + skip(s+2) · y_{t+1}(l'_{s+2}) β_{t+1}(s+2)
 *
 * Then p = α_{T−1}(S−1) + α_{T−1}(S−2), and for every t, p = Σ_s α_t(s) β_t(s).
 *
 * **Gradient.** Every path through (t, s) carries the factor y_t(l'_s) exactly once, so
 * ∂p/∂y_t(k) = (1/y_t(k)) Σ_{s: l'_s = k} α_t(s) β_t(s). With the occupancy
 * γ_t(k) = Σ_{s: l'_s = k} α_t(s) β_t(s) / p (the posterior probability that frame t emits k;
 * Σ_k γ_t(k) = 1) and the softmax Jacobian ∂y_t(j)/∂u_t(k) = y_t(j)(δ_jk − y_t(k)):
 *
 *   ∂(−log p)/∂u_t(k) = −Σ_j (γ_t(j) / y_t(j)) · y_t(j)(δ_jk − y_t(k)) = y_t(k) − γ_t(k).
 *
 * **Numerics.** The recursions run in log space (products of T probabilities underflow
 * float64 for long utterances), with log(a + b) = m + log(e^{a−m} + e^{b−m}), m = max(a, b),
 * and log 0 = −∞ handled exactly. They run in JavaScript on Float64Arrays: the recursion
 * is a sequential dynamic programme over T·S cells, far below one tensor op per cell.
 * If T is too short for l (T < L + number of adjacent equal labels: each repeat needs a
 * blank between), no path exists: the loss is +∞ and the gradient of that sequence is 0.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** log(eᵃ + eᵇ), exact when either is −∞. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = a > b ? a : b;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** l' = (∅, l₁, ∅, l₂, …, l_L, ∅): the lattice's S = 2L + 1 states. */
export function ctcExtendedLabels(label: readonly number[], blank = 0): number[] {
  const ext = [blank];
  for (const k of label) ext.push(k, blank);
  return ext;
}

/** The fewest frames a path for `label` needs: one per label plus a blank between equal neighbours. */
export function ctcMinFrames(label: readonly number[]): number {
  let repeats = 0;
  for (let i = 1; i < label.length; i++) if (label[i] === label[i - 1]) repeats++;
  return label.length + repeats;
}

/** Log α, log β over the lattice of one sequence, and log p(l). */
export interface CtcLattice {
  /** States l' (length S = 2L + 1). */
  states: number[];
  /** log α_t(s), row-major [T, S]. */
  logAlpha: Float64Array;
  /** log β_t(s), row-major [T, S]. */
  logBeta: Float64Array;
  /** log p(l | u); −∞ when no alignment fits in T frames. */
  logLikelihood: number;
  T: number;
  S: number;
}

/**
 * The α and β recursions (see the module comment) for one sequence, in log space.
 *
 * @param logProbs log y_t(k), row-major [T, C] (log-softmax of the logits)
 * @param T frames used (≤ the rows of logProbs)
 * @param C symbols per frame
 * @param label target labels, each in [0, C) and ≠ blank
 */
export function ctcAlphaBeta(
  logProbs: ArrayLike<number>,
  T: number,
  C: number,
  label: readonly number[],
  blank = 0,
): CtcLattice {
  checkArgs('ctcAlphaBeta')
    .number('T', T, { integer: true, min: 1 })
    .number('C', C, { integer: true, min: 2 })
    .number('blank', blank, { integer: true, min: 0, max: C - 1 })
    .require(
      logProbs.length >= T * C,
      `argument 'logProbs' expected at least T·C = ${T * C} values but got ${logProbs.length}`,
    );
  checkLabel('ctcAlphaBeta', 'label', label, C, blank);
  const states = ctcExtendedLabels(label, blank);
  const S = states.length;
  const canSkip = states.map((k, s) => s >= 2 && k !== blank && k !== states[s - 2]);
  const logAlpha = new Float64Array(T * S).fill(-Infinity);
  const logBeta = new Float64Array(T * S).fill(-Infinity);
  logAlpha[0] = logProbs[blank];
  if (S > 1) logAlpha[1] = logProbs[states[1]];
  for (let t = 1; t < T; t++) {
    const prev = (t - 1) * S,
      cur = t * S;
    for (let s = 0; s < S; s++) {
      let a = logAlpha[prev + s];
      if (s >= 1) a = logAddExp(a, logAlpha[prev + s - 1]);
      if (canSkip[s]) a = logAddExp(a, logAlpha[prev + s - 2]);
      logAlpha[cur + s] = a === -Infinity ? a : a + logProbs[t * C + states[s]];
    }
  }
  const last = (T - 1) * S;
  logBeta[last + S - 1] = 0;
  if (S > 1) logBeta[last + S - 2] = 0;
  for (let t = T - 2; t >= 0; t--) {
    const cur = t * S,
      next = (t + 1) * S,
      y = (t + 1) * C;
    for (let s = 0; s < S; s++) {
      let b = logBeta[next + s] + logProbs[y + states[s]];
      if (s + 1 < S) b = logAddExp(b, logBeta[next + s + 1] + logProbs[y + states[s + 1]]);
      if (s + 2 < S && canSkip[s + 2]) b = logAddExp(b, logBeta[next + s + 2] + logProbs[y + states[s + 2]]);
      logBeta[cur + s] = b;
    }
  }
  const logLikelihood = S > 1 ? logAddExp(logAlpha[last + S - 1], logAlpha[last + S - 2]) : logAlpha[last];
  return { states, logAlpha, logBeta, logLikelihood, T, S };
}

/**
 * Occupancy γ_t(s) = α_t(s) β_t(s) / p of every lattice cell, row-major [T, S] (each row sums
 * to 1; all zeros when p = 0). Summing a row over the states with l'_s = k gives γ_t(k).
 */
export function ctcOccupancy(lattice: CtcLattice): Float64Array {
  const { logAlpha, logBeta, logLikelihood, T, S } = lattice;
  const gamma = new Float64Array(T * S);
  if (logLikelihood === -Infinity) return gamma;
  for (let i = 0; i < T * S; i++) gamma[i] = Math.exp(logAlpha[i] + logBeta[i] - logLikelihood);
  return gamma;
}

function checkLabel(fn: string, arg: string, label: unknown, C: number, blank: number): void {
  const c = checkArgs(fn).require(
    Array.isArray(label),
    `argument '${arg}' expected an array of label indices but got ${typeof label}`,
  );
  (label as unknown[]).forEach((k, i) =>
    c.require(
      Number.isInteger(k) && (k as number) >= 0 && (k as number) < C && k !== blank,
      `argument '${arg}' expected labels in [0, ${C}) other than the blank ${blank} but element ${i} is ${String(k)}`,
    ),
  );
}

/** Log-softmax of every row of `logits` [rows, C] in float64. */
function logSoftmaxRows(logits: ArrayLike<number>, rows: number, C: number): Float64Array {
  const out = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let m = -Infinity;
    for (let k = 0; k < C; k++) m = Math.max(m, logits[o + k]);
    let z = 0;
    for (let k = 0; k < C; k++) z += Math.exp(logits[o + k] - m);
    // (x − m) − log z, not x − (m + log z): with logits near ±1e17 the sum m + log z rounds log z away.
    const logZ = Math.log(z);
    for (let k = 0; k < C; k++) out[o + k] = logits[o + k] - m - logZ;
  }
  return out;
}

/** What {@link ctcLossBackward} needs: ∂loss_n/∂logits[n] for every sequence (plain arrays, no tensors). */
export interface CtcCache {
  /** y_t(k) − γ_t(k) for t < inputLengths[n], 0 beyond and for impossible sequences; [N·T·C]. */
  dlossDlogits: Float32Array;
  dims: { N: number; T: number; C: number };
}

/**
 * CTC loss of every sequence in a batch, with the softmax inside.
 *
 * @param logits [N, T, C] float32 unnormalised scores (padded frames beyond inputLengths[n] are ignored)
 * @param labels N label sequences, each label in [0, C) and ≠ blank (length may be 0)
 * @param inputLengths frames of each sequence, integers in [1, T]
 * @param blank the blank's index (default 0)
 * @returns `loss` [N] float32: −log p(labels[n] | logits[n]), +∞ when no alignment fits;
 *          and the `cache` for {@link ctcLossBackward}
 */
export function ctcLoss(
  logits: tf.Tensor,
  labels: number[][],
  inputLengths: number[],
  blank = 0,
): { loss: tf.Tensor1D; cache: CtcCache } {
  const c = checkArgs('ctcLoss').tensor('logits', logits, ['N', 'T', 'C'], 'float32');
  const { N, T, C } = c.dims;
  c.number('blank', blank, { integer: true, min: 0, max: C - 1 })
    .require(
      Array.isArray(labels) && labels.length === N,
      `argument 'labels' expected N=${N} sequences but got ${Array.isArray(labels) ? labels.length : typeof labels}`,
    )
    .require(
      Array.isArray(inputLengths) && inputLengths.length === N,
      `argument 'inputLengths' expected N=${N} lengths but ` +
        `got ${Array.isArray(inputLengths) ? inputLengths.length : typeof inputLengths}`,
    );
  inputLengths.forEach((len, n) =>
    c.require(
      Number.isInteger(len) && len >= 1 && len <= T,
      `argument 'inputLengths' expected integers in [1, T=${T}] but element ${n} is ${len}`,
    ),
  );
  labels.forEach((l, n) => checkLabel('ctcLoss', `labels[${n}]`, l, C, blank));
  const u = logits.dataSync();
  const losses = new Float32Array(N);
  const grad = new Float32Array(N * T * C);
  for (let n = 0; n < N; n++) {
    const Tn = inputLengths[n];
    const logProbs = logSoftmaxRows(u.subarray(n * T * C, (n * T + Tn) * C), Tn, C);
    const lattice = ctcAlphaBeta(logProbs, Tn, C, labels[n], blank);
    losses[n] = -lattice.logLikelihood;
    if (lattice.logLikelihood === -Infinity) continue;
    const gamma = ctcOccupancy(lattice);
    const { states, S } = lattice;
    const g = grad.subarray(n * T * C, (n + 1) * T * C);
    for (let t = 0; t < Tn; t++) {
      for (let k = 0; k < C; k++) g[t * C + k] = Math.exp(logProbs[t * C + k]);
      for (let s = 0; s < S; s++) g[t * C + states[s]] -= gamma[t * S + s];
    }
  }
  return { loss: tf.tensor1d(losses, 'float32'), cache: { dlossDlogits: grad, dims: { N, T, C } } };
}

/**
 * Backward of {@link ctcLoss}: dlogits[n] = dloss[n] · (softmax(logits[n]) − γ[n]) (zero on
 * padded frames, and zero for a sequence whose loss is +∞ whatever dloss[n] is).
 *
 * @param dloss [N] upstream gradient of each sequence's loss (e.g. 1/N for the batch mean)
 * @returns `dlogits` [N, T, C]
 */
export function ctcLossBackward(dloss: tf.Tensor, cache: CtcCache): { dlogits: tf.Tensor3D } {
  checkArgs('ctcLossBackward').require(
    cache?.dims !== undefined && cache.dlossDlogits instanceof Float32Array,
    "argument 'cache' expected the cache returned by ctcLoss",
  );
  const { N, T, C } = cache.dims;
  checkArgs('ctcLossBackward').tensor('dloss', dloss, [N], 'float32');
  const d = dloss.dataSync();
  const out = new Float32Array(N * T * C);
  for (let n = 0; n < N; n++) {
    const block = n * T * C;
    for (let i = 0; i < T * C; i++) {
      const g = cache.dlossDlogits[block + i];
      if (g !== 0) out[block + i] = d[n] * g;
    }
  }
  return { dlogits: tf.tensor3d(out, [N, T, C], 'float32') };
}
