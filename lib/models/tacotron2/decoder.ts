/**
 * The Tacotron 2 decoder, one step at a time, as tfjs expressions: what synthesis runs, and the
 * forward the autodiff reference step differentiates (./autodiffReference.ts; the attention's
 * backward there is the hand-written one, ./attentionGradient.ts). Training runs the same
 * recurrence with a cache and a hand-written backward (./decoderBackprop.ts):
 *
 *   p_t = pre-net(y_{t−1}) = drop(ReLU(drop(ReLU(y_{t−1} P₀ + b₀)) P₁ + b₁))    dropout kept on at inference
 *   (a_t, c^a_t) = LSTM_att([p_t, c_{t−1}], a_{t−1})                              attention LSTM
 *   c_t, α_t = LocationAttention(a_t, h, [α_{t−1}, Σ_{τ<t} α_τ])                  context [N, De]
 *   (s_t, c^d_t) = LSTM_dec([a_t, c_t], s_{t−1})                                 decoder state s_t [N, H]
 *   ŷ_t = [s_t, c_t] W_mel + b   (r frames)       stop_t = [s_t, c_t] w_stop + b  (logit)
 *
 * What the decoder reads as y_{t−1} (the last of the r frames of step t − 1; a zero frame at t = 0)
 * is what the training modes change:
 *
 *   teacher forcing   y_{t−1} = the natural frame                         (Eq. 1 of Liu et al.)
 *   free running      y_{t−1} = ŷ_{t−1}, the decoder's own prediction       (as at inference)
 *   scheduled sampling y_{t−1} = ŷ_{t−1} with probability ε, else the natural frame (per utterance and step)
 *
 * Fed-back predictions are constants (no gradient flows through the feedback), as in
 * Tacotron 2's inference and in most scheduled-sampling implementations.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import type { LocationAttentionParams } from '../../layers/locationSensitiveAttention';
import { AttentionGradient, locationAttentionStep } from './attentionGradient';
import type { Tacotron2 } from './config';
import { dropoutMask, lstmCell, splitLstmWeight } from './cells';

/** What the decoder reads as its previous frame: natural, its own, or its own with probability ε. */
export type DecoderFeed = { kind: 'teacher' } | { kind: 'free' } | { kind: 'sampled'; ownProbability: number };

export interface TacotronDecoderState {
  attH: tf.Tensor;
  attC: tf.Tensor;
  decH: tf.Tensor;
  decC: tf.Tensor;
  context: tf.Tensor;
  alignment: tf.Tensor;
  cumulative: tf.Tensor;
}

/** Per-run weights prepared once (split LSTM weights, the attention's parameters, V·h). */
export interface DecoderContext {
  model: Tacotron2;
  memory: tf.Tensor;
  processedMemory: tf.Tensor;
  mask: tf.Tensor;
  attention: LocationAttentionParams;
  att: { Wx: tf.Tensor; Wh: tf.Tensor };
  dec: { Wx: tf.Tensor; Wh: tf.Tensor };
  projW: tf.Tensor;
  gradient: AttentionGradient;
}

/** @param memory [N, L, De]; @param mask [N, L] (1 = real character) */
export function decoderContext(
  model: Tacotron2,
  memory: tf.Tensor,
  mask: tf.Tensor,
  gradient: AttentionGradient = 'hand',
): DecoderContext {
  const p = model.params;
  const cfg = model.config;
  checkArgs('decoderContext')
    .tensor('memory', memory, ['N', 'L', 2 * cfg.encoderLstm], 'float32')
    .tensor('mask', mask, ['N', 'L'], 'float32');
  const [N, L, De] = memory.shape as number[];
  return {
    model,
    memory,
    mask,
    gradient,
    processedMemory: tf.reshape(tf.matMul(tf.reshape(memory, [N * L, De]), p.attMemoryW), [N, L, cfg.attentionDim]),
    attention: {
      Wq: p.attWq,
      filters: p.attFilters,
      U: p.attU,
      w: p.attW,
      b: p.attB,
    } as unknown as LocationAttentionParams,
    att: splitLstmWeight(p.attLstmW, cfg.attentionLstm),
    dec: splitLstmWeight(p.decLstmW, cfg.decoderLstm),
    projW: tf.concat([p.projMelW, p.projStopW], 1),
  };
}

/** Zero states, zero context; the first alignment puts all its weight on the first character. */
export function initialDecoderState(ctx: DecoderContext): TacotronDecoderState {
  const [N, L, De] = ctx.memory.shape as number[];
  const cfg = ctx.model.config;
  const first = tf.tidy(() => tf.concat([tf.ones([N, 1]), tf.zeros([N, L - 1])], 1));
  return {
    attH: tf.zeros([N, cfg.attentionLstm]),
    attC: tf.zeros([N, cfg.attentionLstm]),
    decH: tf.zeros([N, cfg.decoderLstm]),
    decC: tf.zeros([N, cfg.decoderLstm]),
    context: tf.zeros([N, De]),
    alignment: first,
    cumulative: tf.clone(first),
  };
}

/** The pre-net on the previous frame y [N, M] (dropout masks drawn from `rng`). */
export function prenet(model: Tacotron2, y: tf.Tensor, rng: Rng): tf.Tensor {
  const p = model.params;
  const { prenetDim: P, prenetDropout: q } = model.config;
  const { N } = checkArgs('prenet')
    .tensor('y', y, ['N', model.config.melDims], 'float32')
    .require(rng instanceof Rng, "argument 'rng' expected an Rng").dims as { N: number };
  const h0 = tf.relu(tf.add(tf.matMul(y, p.prenet0W), p.prenet0b));
  const d0 = q > 0 ? tf.mul(h0, dropoutMask([N, P], q, rng)) : h0;
  const h1 = tf.relu(tf.add(tf.matMul(d0, p.prenet1W), p.prenet1b));
  return q > 0 ? tf.mul(h1, dropoutMask([N, P], q, rng)) : h1;
}

/**
 * One decoder step from `state` reading the previous frame `y` [N, M].
 * @returns the next state, r frames [N, r·M], the stop logit [N, 1], and s_t = state.decH
 */
export function decoderStep(
  ctx: DecoderContext,
  state: TacotronDecoderState,
  y: tf.Tensor,
  rng: Rng,
): { state: TacotronDecoderState; frames: tf.Tensor; stopLogit: tf.Tensor } {
  const p = ctx.model.params;
  const cfg = ctx.model.config;
  checkArgs('decoderStep')
    .tensor('state.context', state?.context, [ctx.memory.shape[0] as number, ctx.memory.shape[2] as number], 'float32')
    .tensor(
      'state.alignment',
      state.alignment,
      [ctx.memory.shape[0] as number, ctx.memory.shape[1] as number],
      'float32',
    );
  const pre = prenet(ctx.model, y, rng);
  const att = lstmCell(
    tf.matMul(tf.concat([pre, state.context], 1), ctx.att.Wx),
    state.attH,
    state.attC,
    ctx.att.Wh,
    p.attLstmb,
  );
  const prev = tf.stack([state.alignment, state.cumulative], 2); // [N, L, 2]
  const { context, alignment } = locationAttentionStep(
    att.h,
    ctx.memory,
    ctx.processedMemory,
    prev,
    ctx.attention,
    ctx.mask,
    ctx.gradient,
  );
  const dec = lstmCell(
    tf.matMul(tf.concat([att.h, context], 1), ctx.dec.Wx),
    state.decH,
    state.decC,
    ctx.dec.Wh,
    p.decLstmb,
  );
  const out = tf.matMul(tf.concat([dec.h, context], 1), ctx.projW);
  const [frames, stop] = tf.split(out, [cfg.r * cfg.melDims, 1], 1);
  return {
    state: {
      attH: att.h,
      attC: att.c,
      decH: dec.h,
      decC: dec.c,
      context,
      alignment,
      cumulative: tf.add(state.cumulative, alignment),
    },
    frames: tf.add(frames, p.projMelb),
    stopLogit: tf.add(stop, p.projStopb),
  };
}

/** A tensor with x's values and no gradient path (a fed-back prediction). */
function detached(x: tf.Tensor): tf.Tensor {
  return tf.tensor(x.dataSync(), x.shape, 'float32');
}

export type DecoderRun = {
  /** Decoder mel (before the post-net) [N, S·r, M], normalised units. */
  mel: tf.Tensor;
  /** Stop-token logits [N, S]. */
  stopLogits: tf.Tensor;
  /** Alignments [N, S, L]. */
  alignments: tf.Tensor;
  /** Decoder LSTM states s_t [N, S, H] (what distillation matches). */
  states: tf.Tensor;
};

/**
 * Runs `steps` decoder steps. `targets` [N, steps·r, M] (normalised) are required unless the
 * feed is free running. Call inside tf.tidy / tf.variableGrads: intermediate tensors are not freed here.
 */
export function runDecoder(
  ctx: DecoderContext,
  opts: { steps: number; feed: DecoderFeed; targets?: tf.Tensor; rng: Rng },
): DecoderRun {
  const cfg = ctx.model.config;
  const N = ctx.memory.shape[0] as number;
  const { r, melDims: M } = cfg;
  const c = checkArgs('runDecoder')
    .number('opts.steps', opts?.steps, { integer: true, min: 1 })
    .require(opts.rng instanceof Rng, "argument 'opts.rng' expected an Rng");
  if (opts.feed?.kind !== 'free') c.tensor('opts.targets', opts.targets, [N, opts.steps * r, M], 'float32');
  if (opts.feed?.kind === 'sampled') c.number('opts.feed.ownProbability', opts.feed.ownProbability, { min: 0, max: 1 });
  const lastOfStep = opts.targets
    ? tf
        .unstack(tf.reshape(opts.targets, [N, opts.steps, r, M]), 1)
        .map((g) => tf.squeeze(tf.slice(g, [0, r - 1, 0], [N, 1, M]), [1]))
    : [];
  let state = initialDecoderState(ctx);
  let y = tf.zeros([N, M]);
  const frames: tf.Tensor[] = [],
    stops: tf.Tensor[] = [],
    aligns: tf.Tensor[] = [],
    states: tf.Tensor[] = [];
  for (let t = 0; t < opts.steps; t++) {
    const out = decoderStep(ctx, state, y, opts.rng);
    state = out.state;
    frames.push(out.frames);
    stops.push(out.stopLogit);
    aligns.push(state.alignment);
    states.push(state.decH);
    if (t + 1 === opts.steps) break;
    const own = (): tf.Tensor => detached(tf.slice(out.frames, [0, (r - 1) * M], [N, M]));
    const feed = opts.feed;
    if (feed.kind === 'teacher') y = lastOfStep[t];
    else if (feed.kind === 'free') y = own();
    else {
      const pick = tf.tensor2d(
        Array.from({ length: N }, () => (opts.rng.uniform() < feed.ownProbability ? 1 : 0)),
        [N, 1],
      );
      y = tf.add(tf.mul(pick, own()), tf.mul(tf.sub(1, pick), lastOfStep[t]));
    }
  }
  return {
    mel: tf.reshape(tf.stack(frames, 1), [N, opts.steps * r, M]),
    stopLogits: tf.concat(stops, 1),
    alignments: tf.stack(aligns, 1),
    states: tf.stack(states, 1),
  };
}
