/**
 * The tri-modal cross-modal transformer encoder of Khare et al. (after MulT, Tsai et al. 2019),
 * forward and backward composed from the project's hand-written layers.
 *
 * With audio a [N, Ta, 200], faces v [N, Ta, 32], words w [N, Tw], width E and P the sinusoidal
 * positions:
 *
 *   a⁰ = a·W_a + b_a + P        v⁰ = v·W_v + b_v + P        t⁰ = Emb(w) + P
 *   z_A = Block_self^L(a⁰)                                   (audio encoder, L self-attention blocks)
 *   z_AT = Block_cross(z_A ← t⁰)                             (queries audio, keys/values text)
 *   z_AV = Block_cross(z_A ← v⁰)                             (queries audio, keys/values faces)
 *   joint = α_A·z_A + α_V·z_AV + α_T·z_AT                     [N, Ta, E]
 *
 * with α = (0.4, 0.4, 0.2) for (audio, visual, text) in pre-training and equal weights in the
 * emotion models. Each cross-modal block computes softmax(Q_A K_Xᵀ/√d)·V_X: every audio frame
 * gathers what it needs from the other modality. A stream whose weight is 0 is not computed at
 * all, so a zero weight removes that modality exactly (its inputs cannot change the output).
 *
 * Backward, by the chain rule through the weighted sum:
 *   dz_AT = α_T·djoint, dz_AV = α_V·djoint,  dz_A = α_A·djoint + dx(Block_AT) + dx(Block_AV)
 *   dt⁰ = dcontext(Block_AT), dv⁰ = dcontext(Block_AV), then the self blocks, input projections
 *   and the word embedding's scatter-add (each a checked hand-written backward).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randn } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { disposeCache } from '../../layers/cache';
import { wordEmbeddingBackward, wordEmbeddingForward, WordEmbeddingCache } from '../../layers/embedding';
import { sinusoidalPositions } from '../../layers/positionalEncoding';
import { temporalAffineBackward, temporalAffineForward, TemporalAffineCache } from '../../layers/temporal';
import {
  initTransformerBlockParams,
  transformerBlockBackward,
  transformerBlockForward,
  TransformerBlockCache,
  TransformerBlockParams,
} from '../../layers/transformerBlock';
import type { MultimodalBatch } from './batch';

export type MultimodalParams = Record<string, tf.Variable>;

/** Weights of the three streams in the joint output. */
export interface ModalityWeights {
  audio: number;
  visual: number;
  text: number;
}
export const PRETRAIN_WEIGHTS: ModalityWeights = { audio: 0.4, visual: 0.4, text: 0.2 };
export const EQUAL_WEIGHTS: ModalityWeights = { audio: 1 / 3, visual: 1 / 3, text: 1 / 3 };

export interface CrossModalEncoderConfig {
  /** Model width E, heads, FFN width, audio self-attention layers, dropout. */
  E: number;
  heads: number;
  F: number;
  layers: number;
  dropout: number;
  audioDim: number;
  visualDim: number;
  words: number;
}

/** A trainable variable holding `t` (which is freed: the variable keeps the values). */
export function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

function variables(prefix: string, tensors: Record<string, tf.Tensor>): MultimodalParams {
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [`${prefix}.${k}`, ownedVariable(t)]));
}

/** The block parameters stored under `prefix.` in `p`. */
export function transformerBlockParamsAt(p: MultimodalParams, prefix: string): TransformerBlockParams {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(p)) if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  return out as unknown as TransformerBlockParams;
}

/** Seeded parameters of a transformer block stored under `prefix.` (cross adds the context's layer norm). */
export function initTransformerBlockAt(
  prefix: string,
  E: number,
  F: number,
  rng: Rng,
  cross: boolean,
): MultimodalParams {
  return variables(prefix, initTransformerBlockParams(E, F, rng, { cross }) as unknown as Record<string, tf.Tensor>);
}

function glorot(a: number, b: number, rng: Rng): tf.Tensor {
  return randn([a, b], rng, Math.sqrt(2 / (a + b)));
}

/**
 * Seeded encoder parameters (names: audioIn.*, visualIn.*, textEmbed.W, audioSelf<i>.*, crossText.*, crossVisual.*).
 */
export function initEncoder(cfg: CrossModalEncoderConfig, rng: Rng): MultimodalParams {
  const c = checkArgs('initEncoder');
  for (const k of ['E', 'heads', 'F', 'layers', 'audioDim', 'visualDim', 'words'] as const)
    c.number(`cfg.${k}`, cfg?.[k], { integer: true, min: k === 'layers' ? 0 : 1 });
  c.require(
    cfg.E % cfg.heads === 0 && cfg.E % 2 === 0,
    `cfg.E=${cfg.E} must be even and divisible by heads=${cfg.heads}`,
  );
  const { E, F } = cfg;
  let p: MultimodalParams = {
    ...variables('audioIn', { W: glorot(cfg.audioDim, E, rng), b: tf.zeros([E]) }),
    ...variables('visualIn', { W: glorot(cfg.visualDim, E, rng), b: tf.zeros([E]) }),
    ...variables('textEmbed', { W: randn([cfg.words, E], rng, 1) }),
  };
  for (let l = 0; l < cfg.layers; l++) p = { ...p, ...initTransformerBlockAt(`audioSelf${l}`, E, F, rng, false) };
  return {
    ...p,
    ...initTransformerBlockAt('crossText', E, F, rng, true),
    ...initTransformerBlockAt('crossVisual', E, F, rng, true),
  };
}

export interface CrossModalEncoderCache {
  audioIn: TemporalAffineCache;
  visualIn: TemporalAffineCache | null;
  textEmbed: WordEmbeddingCache | null;
  self: TransformerBlockCache[];
  crossText: TransformerBlockCache | null;
  crossVisual: TransformerBlockCache | null;
  weights: ModalityWeights;
}

export interface CrossModalEncoderOutput {
  /** joint [N, Ta, E]. */
  joint: tf.Tensor3D;
  /**
   * Head-averaged cross-modal attention: audio frames × words [N, Ta, Tw], audio × face frames [N, Ta, Ta]
   * (null when removed).
   */
  textAttention: tf.Tensor3D | null;
  visualAttention: tf.Tensor3D | null;
  cache: CrossModalEncoderCache;
}

export interface CrossModalRunOptions {
  cfg: CrossModalEncoderConfig;
  weights: ModalityWeights;
  training: boolean;
  rng?: Rng;
}

function checkWeights(fn: string, w: ModalityWeights): void {
  const c = checkArgs(fn);
  for (const k of ['audio', 'visual', 'text'] as const) c.number(`weights.${k}`, w?.[k], { min: 0 });
}

/** The encoder forward (equations in the module comment). */
export function crossModalEncoderForward(
  p: MultimodalParams,
  batch: MultimodalBatch,
  opts: CrossModalRunOptions,
): CrossModalEncoderOutput {
  checkWeights('crossModalEncoderForward', opts?.weights);
  checkArgs('crossModalEncoderForward')
    .tensor('batch.audio', batch?.audio, ['N', 'Ta', opts.cfg.audioDim], 'float32')
    .tensor('batch.visual', batch.visual, ['N', 'Ta', opts.cfg.visualDim], 'float32');
  const { cfg, weights: w } = opts;
  const blockOpts = { heads: cfg.heads, dropout: cfg.dropout, rng: opts.rng, training: opts.training };
  // (tidy keeps every tensor of the returned object; its type has no slot for the null of a removed stream)
  return tf.tidy((): tf.TensorContainer => {
    const posA = sinusoidalPositions(batch.Ta, cfg.E);
    const audioIn = temporalAffineForward(batch.audio, p['audioIn.W'], p['audioIn.b']);
    let zA: tf.Tensor = tf.add(audioIn.out, posA);
    const self: TransformerBlockCache[] = [];
    for (let l = 0; l < cfg.layers; l++) {
      const b = transformerBlockForward(zA, null, transformerBlockParamsAt(p, `audioSelf${l}`), {
        ...blockOpts,
        mask: batch.frameKeys,
      });
      self.push(b.cache);
      zA = b.out;
    }
    let joint = tf.mul(zA, w.audio);
    let visualIn: TemporalAffineCache | null = null,
      textEmbed: WordEmbeddingCache | null = null;
    let crossText: TransformerBlockCache | null = null,
      crossVisual: TransformerBlockCache | null = null;
    let textAttention: tf.Tensor3D | null = null,
      visualAttention: tf.Tensor3D | null = null;
    if (w.text > 0) {
      const emb = wordEmbeddingForward(batch.words, p['textEmbed.W']);
      textEmbed = emb.cache;
      const t0 = tf.add(emb.out, sinusoidalPositions(batch.words.shape[1], cfg.E));
      const b = transformerBlockForward(zA, t0, transformerBlockParamsAt(p, 'crossText'), {
        ...blockOpts,
        mask: batch.wordKeys,
      });
      crossText = b.cache;
      textAttention = tf.mean(b.weights, 1) as tf.Tensor3D;
      joint = tf.add(joint, tf.mul(b.out, w.text));
    }
    if (w.visual > 0) {
      const vin = temporalAffineForward(batch.visual, p['visualIn.W'], p['visualIn.b']);
      visualIn = vin.cache;
      const b = transformerBlockForward(zA, tf.add(vin.out, posA), transformerBlockParamsAt(p, 'crossVisual'), {
        ...blockOpts,
        mask: batch.frameKeys,
      });
      crossVisual = b.cache;
      visualAttention = tf.mean(b.weights, 1) as tf.Tensor3D;
      joint = tf.add(joint, tf.mul(b.out, w.visual));
    }
    return {
      joint: joint as tf.Tensor3D,
      textAttention,
      visualAttention,
      cache: { audioIn: audioIn.cache, visualIn, textEmbed, self, crossText, crossVisual, weights: { ...w } },
    } as unknown as tf.TensorContainer;
  }) as unknown as CrossModalEncoderOutput;
}

function prefixed(prefix: string, grads: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [`${prefix}.${k}`, g]));
}

/** djoint [N, Ta, E] → the gradient of every encoder parameter used by the forward (frees the cache). */
export function crossModalEncoderBackward(djoint: tf.Tensor, cache: CrossModalEncoderCache): Record<string, tf.Tensor> {
  checkArgs('crossModalEncoderBackward')
    .require(
      cache?.audioIn !== undefined && Array.isArray(cache.self),
      "argument 'cache' expected the cache of crossModalEncoderForward",
    )
    .tensor('djoint', djoint, ['N', 'Ta', 'E'], 'float32');
  const w = cache.weights;
  const grads = tf.tidy(() => {
    let out: Record<string, tf.Tensor> = {};
    let dzA = tf.mul(djoint, w.audio);
    if (cache.crossText) {
      const g = transformerBlockBackward(tf.mul(djoint, w.text), cache.crossText);
      dzA = tf.add(dzA, g.dx);
      out = {
        ...out,
        ...prefixed('crossText', g.params),
        'textEmbed.W': wordEmbeddingBackward(g.dcontext!, cache.textEmbed!).dW,
      };
    }
    if (cache.crossVisual) {
      const g = transformerBlockBackward(tf.mul(djoint, w.visual), cache.crossVisual);
      dzA = tf.add(dzA, g.dx);
      const vin = temporalAffineBackward(g.dcontext!, cache.visualIn!);
      out = { ...out, ...prefixed('crossVisual', g.params), 'visualIn.W': vin.dw, 'visualIn.b': vin.db };
    }
    for (let l = cache.self.length - 1; l >= 0; l--) {
      const g = transformerBlockBackward(dzA, cache.self[l]);
      dzA = g.dx;
      out = { ...out, ...prefixed(`audioSelf${l}`, g.params) };
    }
    const ain = temporalAffineBackward(dzA, cache.audioIn);
    return { ...out, 'audioIn.W': ain.dw, 'audioIn.b': ain.db };
  });
  disposeEncoderCache(cache);
  return grads;
}

export function disposeEncoderCache(cache: CrossModalEncoderCache): void {
  disposeCache(
    [cache.audioIn, cache.visualIn, cache.textEmbed, cache.self, cache.crossText, cache.crossVisual].filter(
      (c) => c !== null,
    ) as tf.TensorContainer,
  );
}
