/**
 * A small VAE over one note's time-pooled log-mel (issue 12's RAVE role at laptop scale), with
 * the AR-VAE attribute regularisation (Pati & Lerch, 2021) on chosen latent dimensions.
 *
 * Input: a note's log-mel [63 frames, 64 mels] averaged over `blocks` equal runs of frames
 * (63 = 7 × 9 → x [N, 7·64 = 448]), standardised by one global mean and std. Pooling keeps the
 * coarse envelope (attack, decay, spectral tilt) and makes one note one vector, so an MLP VAE
 * with ~60 k parameters trains in seconds on one core.
 *
 *   encoder   h = ReLU(x·W_e + b_e),  μ = h·W_μ + b_μ,  log σ² = h·W_v + b_v     [N, K]
 *   sample    z = μ + σ ⊙ ε,  ε ~ N(0, I)                                         (reparameterize)
 *   decoder   g = ReLU(z·W_d + b_d),  x̂ = g·W_o + b_o                             [N, D]
 *   loss      L = (1/N) Σₙ ‖x̂ₙ − xₙ‖²  +  β · KL(q(z|x) ‖ N(0, I))  +  γ · Σ_r L_AR(z_{:,r}, a_r)
 *
 * The reconstruction term is −log p(x|z) of a Gaussian decoder with variance ½ up to a constant,
 * so β = 1, γ = 0 is the negative ELBO; β-VAE is γ = 0; AR-VAE regularises dimension r (r < R)
 * with descriptor column r of `attributes` [N, R].
 *
 * Backward, by hand through the project's layers: dx̂ = 2(x̂ − x)/N → affine → ReLU → affine
 * gives dz; dz[:, r] += γ ∂L_AR/∂z_r; reparameterizeBackward gives dμ, dlog σ², to which
 * β ∂KL/∂μ = βμ/N and β ∂KL/∂log σ² = β(σ² − 1)/2N add; then the two heads' dh sum, ReLU, affine.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { Rng, randn } from '../../core/random';
import { affineForward, affineBackward } from '../../layers/affine';
import { reluForward, reluBackward } from '../../layers/relu';
import { reparameterizeForward, reparameterizeBackward } from '../../layers/reparameterize';
import { disposeCache } from '../../layers/cache';
import { gaussianKl } from '../../losses/gaussianKl';
import { attributeRegularizationLoss } from '../../losses/attributeRegularization';
import { trainLoop } from '../../train/trainLoop';

export const NOTE_VAE_PARAM_NAMES = ['We', 'be', 'Wmu', 'bmu', 'Wlv', 'blv', 'Wd', 'bd', 'Wo', 'bo'] as const;
export type NoteVaeParamName = (typeof NOTE_VAE_PARAM_NAMES)[number];
export type NoteVaeParams = Record<NoteVaeParamName, tf.Tensor>;

/** Input width D, hidden width H (encoder and decoder), latent size K. */
export interface NoteVaeConfig {
  inputDim: number;
  hidden: number;
  latent: number;
}

/** The loss weights: β on the KL, γ on the AR terms and the tanh sharpness δ. */
export interface NoteVaeWeights {
  beta: number;
  gamma: number;
  delta: number;
}

/** He-scaled Gaussian weights, zero biases; the log-variance head starts at zero (σ = 1). */
export function initNoteVaeParams(config: NoteVaeConfig, rng: Rng): NoteVaeParams {
  const { inputDim: D, hidden: H, latent: K } = checkConfig('initNoteVaeParams', config);
  checkArgs('initNoteVaeParams').require(rng instanceof Rng, "argument 'rng' expected an Rng");
  const w = (r: number, c: number, std: number) => randn([r, c], rng, std);
  return {
    We: w(D, H, Math.sqrt(2 / D)),
    be: tf.zeros([H]),
    Wmu: w(H, K, Math.sqrt(1 / H)),
    bmu: tf.zeros([K]),
    Wlv: w(H, K, 0.01),
    blv: tf.zeros([K]),
    Wd: w(K, H, Math.sqrt(2 / K)),
    bd: tf.zeros([H]),
    Wo: w(H, D, Math.sqrt(1 / H)),
    bo: tf.zeros([D]),
  };
}

function checkConfig(fn: string, c: NoteVaeConfig): NoteVaeConfig {
  checkArgs(fn)
    .require(c !== null && typeof c === 'object', "argument 'config' expected { inputDim, hidden, latent }")
    .number('config.inputDim', c.inputDim, { integer: true, min: 1 })
    .number('config.hidden', c.hidden, { integer: true, min: 1 })
    .number('config.latent', c.latent, { integer: true, min: 1 });
  return c;
}

function checkParams(fn: string, p: NoteVaeParams, D: number) {
  const c = checkArgs(fn).require(p !== null && typeof p === 'object', "argument 'params' expected the NoteVaeParams");
  c.tensor('params.We', p.We, [D, 'H'], 'float32')
    .tensor('params.be', p.be, ['H'], 'float32')
    .tensor('params.Wmu', p.Wmu, ['H', 'K'], 'float32')
    .tensor('params.bmu', p.bmu, ['K'], 'float32')
    .tensor('params.Wlv', p.Wlv, ['H', 'K'], 'float32')
    .tensor('params.blv', p.blv, ['K'], 'float32')
    .tensor('params.Wd', p.Wd, ['K', 'H'], 'float32')
    .tensor('params.bd', p.bd, ['H'], 'float32')
    .tensor('params.Wo', p.Wo, ['H', D], 'float32')
    .tensor('params.bo', p.bo, [D], 'float32');
  return c.dims as { H: number; K: number };
}

/** The posterior means and log-variances: x [N, D] → μ, log σ² [N, K]. */
export function noteVaeEncode(params: NoteVaeParams, x: tf.Tensor): { mu: tf.Tensor; logVar: tf.Tensor } {
  const { D } = checkArgs('noteVaeEncode').tensor('x', x, ['N', 'D'], 'float32').dims;
  checkParams('noteVaeEncode', params, D);
  return tf.tidy(() => {
    const h = tf.relu(tf.add(tf.matMul(x, params.We), params.be));
    return { mu: tf.add(tf.matMul(h, params.Wmu), params.bmu), logVar: tf.add(tf.matMul(h, params.Wlv), params.blv) };
  });
}

/** The decoder mean: z [N, K] → x̂ [N, D]. */
export function noteVaeDecode(params: NoteVaeParams, z: tf.Tensor): tf.Tensor {
  const D = params?.Wo?.shape[1] ?? 0;
  const { K } = checkParams('noteVaeDecode', params, D);
  checkArgs('noteVaeDecode').tensor('z', z, ['N', K], 'float32');
  return tf.tidy(() => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(z, params.Wd), params.bd)), params.Wo), params.bo));
}

export interface NoteVaeLossResult {
  loss: number;
  parts: { recon: number; kl: number; ar: number };
  grads: Record<NoteVaeParamName, tf.Tensor>;
}

/**
 * The loss and its gradient in every parameter, by hand.
 * @param x inputs [N, D]
 * @param noise `{ eps }` [N, K] or `{ rng }` (see reparameterizeForward)
 * @param attributes [N, R] descriptors for latent dims 0..R−1 (R ≤ K), or null (β-VAE)
 */
export function noteVaeLoss(
  params: NoteVaeParams,
  x: tf.Tensor,
  noise: { rng: Rng } | { eps: tf.Tensor },
  attributes: tf.Tensor | null,
  weights: NoteVaeWeights,
): NoteVaeLossResult {
  const { N, D } = checkArgs('noteVaeLoss').tensor('x', x, ['N', 'D'], 'float32').dims;
  const { K } = checkParams('noteVaeLoss', params, D);
  checkArgs('noteVaeLoss')
    .require(weights !== null && typeof weights === 'object', "argument 'weights' expected { beta, gamma, delta }")
    .number('weights.beta', weights.beta, { min: 0 })
    .number('weights.gamma', weights.gamma, { min: 0 })
    .number('weights.delta', weights.delta, { min: 0, exclusiveMin: true });
  const R = attributes ? checkArgs('noteVaeLoss').tensor('attributes', attributes, [N, 'R'], 'float32').dims.R : 0;
  checkArgs('noteVaeLoss').require(R <= K, `argument 'attributes' expected at most K = ${K} columns but got ${R}`);

  const enc = affineForward(x, params.We, params.be);
  const encAct = reluForward(enc.out);
  const muF = affineForward(encAct.out, params.Wmu, params.bmu);
  const lvF = affineForward(encAct.out, params.Wlv, params.blv);
  const rep = reparameterizeForward(muF.out, lvF.out, noise);
  const dec = affineForward(rep.z, params.Wd, params.bd);
  const decAct = reluForward(dec.out);
  const outF = affineForward(decAct.out, params.Wo, params.bo);

  const [reconT, dxhat] = tf.tidy(() => {
    const diff = tf.sub(outF.out, x);
    return [tf.div(tf.sum(tf.square(diff)), N), tf.mul(diff, 2 / N)];
  });
  const recon = reconT.dataSync()[0];
  const kl = gaussianKl(muF.out, lvF.out);
  let ar = 0;
  const arGrads: tf.Tensor[] = [];
  for (let r = 0; r < R; r++) {
    const [zr, ar_] = tf.tidy(() => [
      tf.squeeze(tf.slice(rep.z, [0, r], [N, 1]), [1]),
      tf.squeeze(tf.slice(attributes!, [0, r], [N, 1]), [1]),
    ]);
    const res = attributeRegularizationLoss(zr, ar_, weights.delta);
    ar += res.loss;
    arGrads.push(res.dz);
    tf.dispose([zr, ar_]);
  }

  const gOut = affineBackward(dxhat, outF.cache);
  const gDecAct = reluBackward(gOut.dx, decAct.cache);
  const gDec = affineBackward(gDecAct.dx, dec.cache);
  const dz = tf.tidy(() => {
    if (R === 0 || weights.gamma === 0) return tf.clone(gDec.dx);
    const arCols = tf.stack(arGrads, 1);
    const pad = R < K ? tf.concat([arCols, tf.zeros([N, K - R])], 1) : arCols;
    return tf.add(gDec.dx, tf.mul(weights.gamma, pad));
  });
  const gRep = reparameterizeBackward(dz, rep.cache);
  const [dmu, dlv] = tf.tidy(() => [
    tf.add(gRep.dmu, tf.mul(weights.beta, kl.dmu)),
    tf.add(gRep.dlogVar, tf.mul(weights.beta, kl.dlogVar)),
  ]);
  const gMu = affineBackward(dmu, muF.cache);
  const gLv = affineBackward(dlv, lvF.cache);
  const dh = tf.add(gMu.dx, gLv.dx);
  const gEncAct = reluBackward(dh, encAct.cache);
  const gEnc = affineBackward(gEncAct.dx, enc.cache);

  const grads = {
    We: gEnc.dw,
    be: gEnc.db,
    Wmu: gMu.dw,
    bmu: gMu.db,
    Wlv: gLv.dw,
    blv: gLv.db,
    Wd: gDec.dw,
    bd: gDec.db,
    Wo: gOut.dw,
    bo: gOut.db,
  };
  tf.dispose([
    gEnc.dx,
    gEncAct.dx,
    dh,
    gMu.dx,
    gLv.dx,
    dmu,
    dlv,
    gRep.dmu,
    gRep.dlogVar,
    dz,
    gDec.dx,
    gDecAct.dx,
    gOut.dx,
  ]);
  tf.dispose([
    reconT,
    dxhat,
    kl.dmu,
    kl.dlogVar,
    ...arGrads,
    enc.out,
    encAct.out,
    muF.out,
    lvF.out,
    rep.z,
    dec.out,
    decAct.out,
    outF.out,
  ]);
  for (const c of [enc.cache, encAct.cache, muF.cache, lvF.cache, rep.cache, dec.cache, decAct.cache, outF.cache])
    disposeCache(c);
  const loss = recon + weights.beta * kl.loss + weights.gamma * ar;
  return { loss, parts: { recon, kl: kl.loss, ar }, grads };
}

export interface TrainNoteVaeOptions extends NoteVaeWeights {
  hidden: number;
  latent: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Called after every update with the step and its loss parts (e.g. a progress bar). */
  onStep?: (step: number, parts: NoteVaeLossResult['parts']) => void;
}

/**
 * Trains a NoteVAE with Adam (gradient clipped at norm 10) on seeded minibatches.
 * @param x inputs [N, D]; @param attributes [N, R] for AR-VAE or null
 * @returns the trained params (plain tensors) and the loss parts per step
 */
export function trainNoteVae(
  x: tf.Tensor,
  attributes: tf.Tensor | null,
  opts: TrainNoteVaeOptions,
): {
  params: NoteVaeParams;
  history: NoteVaeLossResult['parts'][];
} {
  const { N, D } = checkArgs('trainNoteVae').tensor('x', x, ['N', 'D'], 'float32').dims;
  checkArgs('trainNoteVae')
    .number('opts.steps', opts?.steps, { integer: true, min: 1 })
    .number('opts.batchSize', opts.batchSize, { integer: true, min: 2, max: N })
    .number('opts.lr', opts.lr, { min: 0, exclusiveMin: true })
    .number('opts.seed', opts.seed, { integer: true });
  const rng = new Rng(opts.seed);
  const init = initNoteVaeParams({ inputDim: D, hidden: opts.hidden, latent: opts.latent }, rng.fork());
  const vars = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.variable(v)])) as Record<
    NoteVaeParamName,
    tf.Variable
  >;
  tf.dispose(Object.values(init));
  const history: NoteVaeLossResult['parts'][] = [];
  let order: number[] = [];
  let parts: NoteVaeLossResult['parts'];
  const onStep = (step: number): void => {
    history.push(parts);
    opts.onStep?.(step, parts);
  };
  try {
    trainLoop('trainNoteVae', vars, { steps: opts.steps, lr: opts.lr, clipNorm: 10, progress: false, onStep }, () => {
      if (order.length < opts.batchSize) order = order.concat(rng.permutation(N));
      const idx = tf.tensor1d(order.splice(0, opts.batchSize), 'int32');
      const xb = tf.gather(x, idx),
        ab = attributes ? tf.gather(attributes, idx) : null;
      const r = noteVaeLoss(vars, xb, { rng }, ab, opts);
      tf.dispose([idx, xb, ...(ab ? [ab] : [])]);
      parts = r.parts;
      return { loss: r.loss, grads: r.grads };
    });
    const params = Object.fromEntries(
      Object.entries(vars).map(([k, v]) => [k, tf.clone(v)]),
    ) as unknown as NoteVaeParams;
    return { params, history };
  } finally {
    tf.dispose(Object.values(vars));
  }
}

/**
 * Notes' log-mel [N, F, M] → VAE inputs [N, blocks·M]: the mean of each of `blocks` equal runs of
 * frames (F divisible by blocks), standardised as (v − mean)/std with the given or measured scalars.
 */
export function poolNoteFrames(
  logMel: tf.Tensor,
  blocks: number,
  stats?: { mean: number; std: number },
): {
  x: tf.Tensor2D;
  mean: number;
  std: number;
} {
  const { N, F, M } = checkArgs('poolNoteFrames')
    .tensor('logMel', logMel, ['N', 'F', 'M'], 'float32')
    .number('blocks', blocks, { integer: true, min: 1 }).dims;
  checkArgs('poolNoteFrames').require(
    F % blocks === 0,
    `argument 'blocks' expected a divisor of the ${F} frames but got ${blocks}`,
  );
  const pooled = tf.tidy(() => tf.reshape(tf.mean(tf.reshape(logMel, [N, blocks, F / blocks, M]), 2), [N, blocks * M]));
  const mean = stats?.mean ?? tf.tidy(() => tf.mean(pooled).dataSync()[0]);
  const std = stats?.std ?? tf.tidy(() => Math.sqrt(tf.mean(tf.square(tf.sub(pooled, mean))).dataSync()[0]));
  const x = tf.tidy(() => tf.div(tf.sub(pooled, mean), std)) as tf.Tensor2D;
  pooled.dispose();
  return { x, mean, std };
}

/**
 * A decoded input row [blocks·M] back to a log-mel [F, M] (each block repeated F/blocks times,
 * un-standardised) for Griffin-Lim.
 */
export function unpoolNoteFrames(
  row: ArrayLike<number>,
  blocks: number,
  frames: number,
  stats: { mean: number; std: number },
): Float32Array {
  checkArgs('unpoolNoteFrames')
    .number('blocks', blocks, { integer: true, min: 1 })
    .number('frames', frames, { integer: true, min: 1 })
    .require(frames % blocks === 0, `argument 'frames' expected a multiple of blocks = ${blocks} but got ${frames}`)
    .require(
      row.length % blocks === 0,
      `argument 'row' expected a length divisible by blocks = ${blocks} but got ${row.length}`,
    );
  const M = row.length / blocks,
    per = frames / blocks;
  const out = new Float32Array(frames * M);
  for (let t = 0; t < frames; t++) {
    const b = Math.floor(t / per);
    for (let m = 0; m < M; m++) out[t * M + m] = row[b * M + m] * stats.std + stats.mean;
  }
  return out;
}
