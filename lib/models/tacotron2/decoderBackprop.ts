/**
 * The Tacotron 2 decoder for training: the recurrence of ./decoder.ts with a cache, and its
 * backward through time, composed from the library's hand-derived pieces (pre-net:
 * ./prenetBackprop.ts; LSTM gates: ./fusedLstmGates.ts, lstmGates' maths in fewer kernels; attention:
 * locationAttentionForward/Backward). Step t, with y_{t−1} the frame it reads:
 *
 *   p_t = pre-net(y_{t−1})
 *   a_t, c^a_t = gates(p_t W_p + [c_{t−1}, a_{t−1}] W_ca + b_a, c^a_{t−1})     attention LSTM
 *   c_t, α_t = attention(a_t, h, [α_{t−1}, β_{t−1}]),  β_t = β_{t−1} + α_t      β: cumulative weights
 *   s_t, c^s_t = gates([a_t, c_t, s_{t−1}] W_s + b_s, c^s_{t−1})               decoder LSTM
 *   [ŷ_t, stop_t] = [s_t, c_t] W_o + b_o                                        r frames and a logit
 *
 * Speed by design: what does not depend on the recurrence runs once over all S·N rows, so the
 * per-step loop holds only the two LSTM cells and the attention. With teacher forcing the pre-net
 * and p_t W_p run before the loop and the output projection after it; the weight gradients of
 * the LSTMs and the projection are one product each over all rows after the backward loop
 * (linearGrads), and every weight is transposed once per call.
 *
 * The fed-back frame: in free running and scheduled sampling y_{t−1} = ŷ_{t−1} is a constant — no
 * gradient flows from step t's loss back through the frame the decoder fed itself. That is
 * Tacotron 2's inference and the usual scheduled-sampling practice; the gradient reaches step
 * t−1 only through the recurrent states, the context and the attention weights.
 *
 * Backward through time, t = S−1 … 0, with the gradients arriving from step t+1 (primed):
 *
 *   ds_t = dŝ_t (projection) + dL/ds_t (distillation) + ds'        → decoder gates → da^s_t, dc^s_{t−1}
 *   [da_t, dc_t, ds_{t−1}] += da^s_t W_sᵀ
 *   dc_t += dc_t (projection) + dc'       dα_t = dL/dα_t (guide) + dα' + dβ_t
 *   attention backward → da_t (query), dh, d(Vh), d[α_{t−1}, β_{t−1}] (→ dα', dβ_{t−1} = dβ_t + ·)
 *   da_t += da'  → attention gates → da^a_t, dc^a_{t−1};   [dc', da'] = da^a_t W_caᵀ
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import {
  LocationAttentionCache,
  LocationAttentionParams,
  LocationAttentionWeightTerms,
  locationAttentionForward,
  locationAttentionInputsBackward,
  locationAttentionWeightsBackward,
} from '../../layers/locationSensitiveAttention';
import { flippedFilters } from '../../layers/conv1d';
import { linearGrads, matMulAT } from '../../ops/fastOps';
import type { Tacotron2 } from './config';
import { FusedGatesCache, fusedLstmGatesBackward, fusedLstmGatesForward, gateScale } from './fusedLstmGates';
import type { DecoderFeed, DecoderRun } from './decoder';
import { PrenetCache, concatPrenetCaches, prenetBackward, prenetForward, prenetMasks } from './prenetBackprop';

type StepCache = {
  attentionGates: FusedGatesCache;
  attention: LocationAttentionCache;
  decoderGates: FusedGatesCache;
};

export type DecoderCache = {
  memory: tf.Tensor;
  prenet: PrenetCache;
  steps: StepCache[];
  /** Time-major rows [S·N, ·] of what each step read and wrote (row t·N + n). */
  rows: {
    prenet: tf.Tensor;
    contextBefore: tf.Tensor;
    attentionBefore: tf.Tensor;
    attention: tf.Tensor;
    context: tf.Tensor;
    decoderBefore: tf.Tensor;
    decoder: tf.Tensor;
  };
  /** The weights, transposed once. */
  WpT: tf.Tensor;
  WcaT: tf.Tensor;
  WsT: tf.Tensor;
  WoT: tf.Tensor;
  attentionMemoryWT: tf.Tensor;
  attentionPrepared: { WqT: tf.Tensor; UT: tf.Tensor; flippedFilters: tf.Tensor };
  dims: { N: number; L: number; S: number; De: number; A: number; Ha: number; Hd: number; r: number; M: number };
};

export interface DecoderGradientsIn {
  /** dL/dŷ [N, S·r, M] (the decoder's mel, before the post-net). */
  dmel: tf.Tensor;
  /** dL/dstop [N, S]. */
  dstopLogits: tf.Tensor;
  /** dL/dα [N, S, L] (guided attention), or null. */
  dalignments: tf.Tensor | null;
  /** dL/ds [N, S, H_dec] (distillation), or null. */
  dstates: tf.Tensor | null;
}

/** Time-major rows [S·N, D] of per-step tensors [N, D]. */
function rowsOf(perStep: tf.Tensor[]): tf.Tensor {
  return tf.concat(perStep, 0);
}

/** [S·N, D] time-major rows → [N, S, D]. */
function batchMajor(rows: tf.Tensor, S: number, N: number): tf.Tensor {
  return tf.transpose(tf.reshape(rows, [S, N, rows.shape[1] as number]), [1, 0, 2]);
}

/** [N, S, D] → [S, N, D] (so step t is a cheap gather). */
function timeMajor(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [1, 0, 2]);
}

/** The frame step t+1 reads in teacher forcing: the last of step t's r natural frames (zeros at t = 0), as rows. */
function teacherInputs(targets: tf.Tensor, S: number, r: number): tf.Tensor {
  const [N, , M] = targets.shape as number[];
  const last = tf.slice(tf.reshape(targets, [N, S, r, M]), [0, 0, r - 1, 0], [N, S - 1, 1, M]);
  const inputs = tf.concat([tf.zeros([N, 1, M]), tf.reshape(last, [N, S - 1, M])], 1);
  return tf.reshape(timeMajor(inputs), [S * N, M]);
}

/**
 * Runs the decoder over `steps` steps for training. Same arguments, random draws and outputs as
 * ./decoder.ts's runDecoder; also returns the cache for {@link tacotronDecoderBackward}.
 * @param memory [N, L, De]; @param mask [N, L]
 */
export function tacotronDecoderForward(
  model: Tacotron2,
  memory: tf.Tensor,
  mask: tf.Tensor,
  opts: { steps: number; feed: DecoderFeed; targets?: tf.Tensor; rng: Rng },
): { out: DecoderRun; cache: DecoderCache } {
  const cfg = model.config;
  const c = checkArgs('tacotronDecoderForward')
    .tensor('memory', memory, ['N', 'L', 2 * cfg.encoderLstm], 'float32')
    .tensor('mask', mask, ['N', 'L'], 'float32')
    .number('opts.steps', opts?.steps, { integer: true, min: 1 })
    .require(opts.rng instanceof Rng, "argument 'opts.rng' expected an Rng")
    .require(
      ['teacher', 'free', 'sampled'].includes(opts.feed?.kind),
      `argument 'opts.feed' expected a feed of kind teacher, free or sampled but got ${String(opts.feed?.kind)}`,
    );
  const { N, L } = c.dims as { N: number; L: number };
  const { r, melDims: M, prenetDim: P, attentionLstm: Ha, decoderLstm: Hd, attentionDim: A } = cfg;
  const S = opts.steps;
  const De = 2 * cfg.encoderLstm;
  if (opts.feed.kind !== 'free') c.tensor('opts.targets', opts.targets, [N, S * r, M], 'float32');
  if (opts.feed.kind === 'sampled') c.number('opts.feed.ownProbability', opts.feed.ownProbability, { min: 0, max: 1 });
  const feed = opts.feed;
  const p = model.params;
  return tf.tidy(() => {
    const Wp = tf.slice(p.attLstmW, [0, 0], [P, 4 * Ha]);
    const Wca = tf.slice(p.attLstmW, [P, 0], [De + Ha, 4 * Ha]);
    const Wo = tf.concat([p.projMelW, p.projStopW], 1);
    const bo = tf.concat([p.projMelb, p.projStopb]);
    const processed = tf.reshape(tf.matMul(tf.reshape(memory, [N * L, De]), p.attMemoryW), [N, L, A]);
    const attention = { Wq: p.attWq, filters: p.attFilters, U: p.attU, w: p.attW, b: p.attB };
    const params = attention as unknown as LocationAttentionParams;
    const teacher = feed.kind === 'teacher';
    const [attentionScale, decoderScale] = [gateScale(Ha), gateScale(Hd)];
    // Teacher forcing: the pre-net and its share of the attention LSTM over all steps at once.
    let prenetAll: { out: tf.Tensor; cache: PrenetCache } | null = null;
    let prenetWAll: tf.Tensor | null = null;
    if (teacher) {
      prenetAll = prenetForward(model, teacherInputs(opts.targets!, S, r), prenetMasks(model, N, S, opts.rng));
      prenetWAll = tf.reshape(tf.matMul(prenetAll.out, Wp), [S, N, 4 * Ha]);
    }
    const naturalLast = teacher || !opts.targets ? null : tf.reshape(teacherInputs(opts.targets, S, r), [S, N, M]);
    let y = tf.zeros([N, M]);
    let [attH, attC, decH, decC, context] = [
      tf.zeros([N, Ha]),
      tf.zeros([N, Ha]),
      tf.zeros([N, Hd]),
      tf.zeros([N, Hd]),
      tf.zeros([N, De]),
    ];
    let alignment = tf.concat([tf.ones([N, 1]), tf.zeros([N, L - 1])], 1);
    let cumulative = alignment;
    const steps: StepCache[] = [];
    const seen = { prenet: [] as tf.Tensor[], prenetCaches: [] as PrenetCache[], outputs: [] as tf.Tensor[] };
    const rows = { ctxBefore: [], attBefore: [], att: [], ctx: [], decBefore: [], dec: [], align: [] } as Record<
      string,
      tf.Tensor[]
    >;
    for (let t = 0; t < S; t++) {
      let prenetW: tf.Tensor;
      if (prenetWAll) prenetW = tf.gather(prenetWAll, t);
      else {
        const step = prenetForward(model, y, prenetMasks(model, N, 1, opts.rng));
        seen.prenet.push(step.out);
        seen.prenetCaches.push(step.cache);
        prenetW = tf.matMul(step.out, Wp);
      }
      const a = tf.add(tf.add(prenetW, tf.matMul(tf.concat([context, attH], 1), Wca)), p.attLstmb);
      const attentionGates = fusedLstmGatesForward(a, attC, attentionScale);
      rows.ctxBefore.push(context);
      rows.attBefore.push(attH);
      [attH, attC] = [attentionGates.nextH, attentionGates.nextC];
      const prev = tf.transpose(tf.stack([alignment, cumulative]), [1, 2, 0]); // [N, L, 2]: a cheap stack on wasm
      const att = locationAttentionForward(attH, memory, processed, prev, params, mask);
      [context, alignment] = [att.context, att.alignment];
      cumulative = tf.add(cumulative, alignment);
      const decoderIn = tf.concat([attH, context, decH], 1);
      const decoderGates = fusedLstmGatesForward(
        tf.add(tf.matMul(decoderIn, p.decLstmW), p.decLstmb),
        decC,
        decoderScale,
      );
      rows.decBefore.push(decH);
      [decH, decC] = [decoderGates.nextH, decoderGates.nextC];
      rows.att.push(attH);
      rows.ctx.push(context);
      rows.dec.push(decH);
      rows.align.push(alignment);
      steps.push({ attentionGates: attentionGates.cache, attention: att.cache, decoderGates: decoderGates.cache });
      if (teacher) continue;
      const out = tf.add(tf.matMul(tf.concat([decH, context], 1), Wo), bo);
      seen.outputs.push(out);
      if (t + 1 === S) break;
      const own = tf.slice(out, [0, (r - 1) * M], [N, M]);
      if (feed.kind === 'free') y = own;
      else {
        const pick = tf.tensor2d(
          Array.from({ length: N }, () => (opts.rng.uniform() < feed.ownProbability ? 1 : 0)),
          [N, 1],
        );
        y = tf.add(tf.mul(pick, own), tf.mul(tf.sub(1, pick), tf.gather(naturalLast!, t + 1)));
      }
    }
    const decRows = rowsOf(rows.dec);
    const ctxRows = rowsOf(rows.ctx);
    const outRows = teacher ? tf.add(tf.matMul(tf.concat([decRows, ctxRows], 1), Wo), bo) : rowsOf(seen.outputs);
    const outputs = batchMajor(outRows, S, N); // [N, S, r·M + 1]
    const run: DecoderRun = {
      mel: tf.reshape(tf.slice(outputs, [0, 0, 0], [N, S, r * M]), [N, S * r, M]),
      stopLogits: tf.reshape(tf.slice(outputs, [0, 0, r * M], [N, S, 1]), [N, S]),
      alignments: batchMajor(rowsOf(rows.align), S, N),
      states: batchMajor(decRows, S, N),
    };
    const cache: DecoderCache = {
      memory: tf.clone(memory),
      prenet: prenetAll ? prenetAll.cache : concatPrenetCaches(seen.prenetCaches),
      steps,
      rows: {
        prenet: prenetAll ? prenetAll.out : rowsOf(seen.prenet),
        contextBefore: rowsOf(rows.ctxBefore),
        attentionBefore: rowsOf(rows.attBefore),
        attention: rowsOf(rows.att),
        context: ctxRows,
        decoderBefore: rowsOf(rows.decBefore),
        decoder: decRows,
      },
      WpT: tf.transpose(Wp),
      WcaT: tf.transpose(Wca),
      WsT: tf.transpose(p.decLstmW),
      WoT: tf.transpose(Wo),
      attentionMemoryWT: tf.transpose(p.attMemoryW),
      attentionPrepared: {
        WqT: tf.transpose(p.attWq),
        UT: tf.transpose(p.attU),
        flippedFilters: flippedFilters(p.attFilters),
      },
      dims: { N, L, S, De, A, Ha, Hd, r, M },
    };
    return { out: run, cache };
  });
}

const ATTENTION_GRADS = [
  ['dWq', 'attWq'],
  ['dfilters', 'attFilters'],
  ['dU', 'attU'],
  ['dw', 'attW'],
  ['db', 'attB'],
] as const;

/**
 * Backward through time of {@link tacotronDecoderForward}.
 * @returns the gradient of every decoder and attention parameter (by name) and dmemory [N, L, De]
 */
export function tacotronDecoderBackward(
  d: DecoderGradientsIn,
  cache: DecoderCache,
): { grads: Record<string, tf.Tensor>; dmemory: tf.Tensor } {
  checkArgs('tacotronDecoderBackward').require(
    cache?.dims !== undefined && cache.WoT instanceof tf.Tensor && !cache.WoT.isDisposed,
    "argument 'cache' expected the live cache returned by tacotronDecoderForward",
  );
  const { N, L, S, De, A, Ha, Hd, r, M } = cache.dims;
  const rM = r * M;
  const c = checkArgs('tacotronDecoderBackward')
    .tensor('d.dmel', d?.dmel, [N, S * r, M], 'float32')
    .tensor('d.dstopLogits', d.dstopLogits, [N, S], 'float32');
  if (d.dalignments) c.tensor('d.dalignments', d.dalignments, [N, S, L], 'float32');
  if (d.dstates) c.tensor('d.dstates', d.dstates, [N, S, Hd], 'float32');
  return tf.tidy(() => {
    const grads: Record<string, tf.Tensor> = {};
    // The output projection, all steps at once.
    const dOut = tf.concat([tf.reshape(d.dmel, [N, S, rM]), tf.expandDims(d.dstopLogits, 2)], 2);
    const dOutRows = tf.reshape(timeMajor(dOut), [S * N, rM + 1]);
    const projection = linearGrads([tf.concat([cache.rows.decoder, cache.rows.context], 1)], dOutRows);
    [grads.projMelW, grads.projStopW] = tf.split(projection.dW[0], [rM, 1], 1);
    [grads.projMelb, grads.projStopb] = tf.split(projection.db, [rM, 1]);
    const dProjectionIn = tf.reshape(tf.matMul(dOutRows, cache.WoT), [S, N, Hd + De]);
    const [dsOut, dcOut] = tf.split(dProjectionIn, [Hd, De], 2);
    const dsTarget = d.dstates ? timeMajor(d.dstates) : null;
    const dalignTarget = d.dalignments ? timeMajor(d.dalignments) : null;
    let [dsNext, dcsNext, daNext, dcaNext, dcNext] = [
      tf.zeros([N, Hd]),
      tf.zeros([N, Hd]),
      tf.zeros([N, Ha]),
      tf.zeros([N, Ha]),
      tf.zeros([N, De]),
    ];
    let [dalphaNext, dbeta] = [tf.zeros([N, L]), tf.zeros([N, L])];
    const dmemorySteps: tf.Tensor[] = [];
    const dprocessedSteps: tf.Tensor[] = [];
    const attentionTerms: LocationAttentionWeightTerms[] = new Array(S);
    const daDecoder: tf.Tensor[] = new Array(S);
    const daAttention: tf.Tensor[] = new Array(S);
    for (let t = S - 1; t >= 0; t--) {
      const step = cache.steps[t];
      let ds = tf.add(tf.gather(dsOut, t), dsNext);
      if (dsTarget) ds = tf.add(ds, tf.gather(dsTarget, t));
      const dec = fusedLstmGatesBackward(ds, dcsNext, step.decoderGates);
      daDecoder[t] = dec.da;
      dcsNext = dec.dprevC;
      const [daFromDecoder, dcFromDecoder, dsBefore] = tf.split(tf.matMul(dec.da, cache.WsT), [Ha, De, Hd], 1);
      dsNext = dsBefore;
      const dcontext = tf.addN([tf.gather(dcOut, t), dcFromDecoder, dcNext]);
      let dalpha = tf.add(dalphaNext, dbeta);
      if (dalignTarget) dalpha = tf.add(dalpha, tf.gather(dalignTarget, t));
      const g = locationAttentionInputsBackward(dcontext, dalpha, step.attention, cache.attentionPrepared);
      attentionTerms[t] = g.terms;
      dmemorySteps.push(g.dmemory);
      dprocessedSteps.push(g.dprocessedMemory);
      const [dalphaPrev, dbetaPrev] = tf.unstack(g.dprevAlignments, 2);
      dalphaNext = dalphaPrev;
      dbeta = tf.add(dbeta, dbetaPrev);
      const da = tf.addN([g.dquery, daFromDecoder, daNext]);
      const att = fusedLstmGatesBackward(da, dcaNext, step.attentionGates);
      daAttention[t] = att.da;
      dcaNext = att.dprevC;
      [dcNext, daNext] = tf.split(tf.matMul(att.da, cache.WcaT), [De, Ha], 1);
    }
    const attentionWeights = locationAttentionWeightsBackward(
      cache.steps.map((step) => step.attention),
      attentionTerms,
    );
    for (const [key, name] of ATTENTION_GRADS) grads[name] = attentionWeights[key];
    const daDecoderRows = tf.concat(daDecoder, 0);
    const decoder = linearGrads([cache.rows.attention, cache.rows.context, cache.rows.decoderBefore], daDecoderRows);
    grads.decLstmW = tf.concat(decoder.dW, 0);
    grads.decLstmb = decoder.db;
    const daAttentionRows = tf.concat(daAttention, 0);
    const attention = linearGrads(
      [cache.rows.prenet, cache.rows.contextBefore, cache.rows.attentionBefore],
      daAttentionRows,
    );
    grads.attLstmW = tf.concat(attention.dW, 0);
    grads.attLstmb = attention.db;
    Object.assign(grads, prenetBackward(tf.matMul(daAttentionRows, cache.WpT), cache.prenet));
    const dprocessedRows = tf.reshape(tf.addN(dprocessedSteps), [N * L, A]);
    grads.attMemoryW = matMulAT(tf.reshape(cache.memory, [N * L, De]), dprocessedRows);
    const dmemory = tf.addN([
      ...dmemorySteps,
      tf.reshape(tf.matMul(dprocessedRows, cache.attentionMemoryWT), [N, L, De]),
    ]);
    return { grads, dmemory };
  });
}
