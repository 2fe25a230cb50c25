/**
 * Tacotron 2 at laptop scale: the sizes, and the parameters they give.
 *
 *   text ids [N, L] → embedding [N, L, E] → 3 × (conv1d k → batch norm → ReLU → dropout)
 *     → BiLSTM (H_enc per direction) → memory h [N, L, De = 2·H_enc]
 *   decoder step t: pre-net(previous frame) → attention LSTM → location-sensitive attention
 *     → decoder LSTM → linear to r mel frames + a stop-token logit
 *   post-net: 5 × conv1d (tanh on the first four) added to the decoder's mel (residual)
 *
 * Parameters are one flat record of `tf.Variable`s (what the project's Adam and train loop
 * take), grouped by {@link tacotronParamGroup} so students can freeze the encoder and the
 * attention they inherit from the teacher. Batch-norm running statistics are kept apart:
 * they are state, not trained.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randu } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { PHONE_ALPHABET, speechAlphabet } from '../../data/speechText';

/** What the encoder reads: normalised characters (speechAlphabet('punctuated')) or flite's phones (PHONE_ALPHABET). */
export type TacotronSymbols = 'characters' | 'phones';

/** The size of each input alphabet, id 0 = padding. */
export const TACOTRON_VOCAB: Record<TacotronSymbols, number> = {
  characters: speechAlphabet('punctuated').length,
  phones: PHONE_ALPHABET.length,
};

export interface Tacotron2Config {
  /** The input symbols (a checkpoint saved before phones existed reads characters). */
  symbols: TacotronSymbols;
  /** Size of the input alphabet: TACOTRON_VOCAB[symbols]. */
  vocabSize: number;
  embedDim: number;
  encoderConvLayers: number;
  encoderKernel: number;
  /** Per direction; the memory has 2 × this width. */
  encoderLstm: number;
  encoderDropout: number;
  prenetDim: number;
  /** Tacotron 2 keeps the pre-net's dropout on at inference too. */
  prenetDropout: number;
  attentionLstm: number;
  decoderLstm: number;
  attentionDim: number;
  locationFilters: number;
  locationKernel: number;
  melDims: number;
  /** Mel frames predicted per decoder step (the reduction factor r). */
  r: number;
  postnetChannels: number;
  postnetKernel: number;
  postnetLayers: number;
}

/** The sizes this project trains (see notebook 06 for why each was chosen). */
export const TACOTRON_CONFIG: Tacotron2Config = {
  symbols: 'phones',
  vocabSize: TACOTRON_VOCAB.phones,
  embedDim: 128,
  encoderConvLayers: 3,
  encoderKernel: 5,
  encoderLstm: 64,
  encoderDropout: 0.2,
  prenetDim: 128,
  prenetDropout: 0.5,
  attentionLstm: 128,
  decoderLstm: 128,
  attentionDim: 128,
  locationFilters: 16,
  locationKernel: 15,
  melDims: 80,
  r: 4,
  postnetChannels: 64,
  postnetKernel: 5,
  postnetLayers: 5,
};

export type TacotronParams = Record<string, tf.Variable>;

/** Batch-norm running mean and variance of each encoder conv layer (`bn{i}Mean`, `bn{i}Var`, [E]). */
export type TacotronBatchNormStats = Record<string, tf.Variable>;

/** A Tacotron 2: its sizes, weights, batch-norm statistics and the mel normalisation it was trained with. */
export interface Tacotron2 {
  config: Tacotron2Config;
  params: TacotronParams;
  bnStats: TacotronBatchNormStats;
  /** Log-mel values are fed and predicted as (x − mean) / std. */
  melNorm: { mean: number; std: number };
}

export type TacotronParamGroup = 'encoder' | 'attention' | 'decoder' | 'postnet';

/** Which part of the model a parameter belongs to (by its name's prefix). */
export function tacotronParamGroup(name: string): TacotronParamGroup {
  if (name.startsWith('enc') || name === 'embedding') return 'encoder';
  if (name.startsWith('att') && !name.startsWith('attLstm')) return 'attention';
  if (name.startsWith('post')) return 'postnet';
  return 'decoder';
}

function validateConfig(fn: string, cfg: Tacotron2Config): void {
  const c = checkArgs(fn);
  const ints: (keyof Tacotron2Config)[] = [
    'vocabSize',
    'embedDim',
    'encoderConvLayers',
    'encoderKernel',
    'encoderLstm',
    'prenetDim',
    'attentionLstm',
    'decoderLstm',
    'attentionDim',
    'locationFilters',
    'locationKernel',
    'melDims',
    'r',
    'postnetChannels',
    'postnetKernel',
    'postnetLayers',
  ];
  for (const k of ints) c.number(`config.${k}`, cfg?.[k], { integer: true, min: 1 });
  c.number('config.encoderDropout', cfg.encoderDropout, { min: 0, max: 0.99 }).number(
    'config.prenetDropout',
    cfg.prenetDropout,
    { min: 0, max: 0.99 },
  );
  for (const k of ['encoderKernel', 'locationKernel', 'postnetKernel'] as const)
    c.require(cfg[k] % 2 === 1, `config.${k} expected an odd width but got ${cfg[k]}`);
  c.require(
    cfg.symbols === 'characters' || cfg.symbols === 'phones',
    `config.symbols expected 'characters' or 'phones' but got ${String(cfg.symbols)}`,
  ).require(
    cfg.vocabSize === TACOTRON_VOCAB[cfg.symbols],
    `config.vocabSize expected ${TACOTRON_VOCAB[cfg.symbols]} for ${cfg.symbols} but got ${cfg.vocabSize}`,
  );
  c.require(cfg.postnetLayers >= 2, `config.postnetLayers expected at least 2 but got ${cfg.postnetLayers}`);
}

/**
 * Fresh weights: Glorot-uniform matrices and filters, zero biases, LSTM forget-gate bias 1,
 * embedding U(−√3, √3)·0.3; batch-norm statistics mean 0, variance 1.
 */
export function initTacotron2(config: Tacotron2Config, seed: number, melNorm = { mean: 0, std: 1 }): Tacotron2 {
  validateConfig('initTacotron2', config);
  checkArgs('initTacotron2')
    .number('seed', seed, { integer: true })
    .number('melNorm.std', melNorm?.std, { min: 0, exclusiveMin: true })
    .number('melNorm.mean', melNorm.mean);
  const rng = new Rng(seed);
  const cfg = config;
  const p: Record<string, tf.Tensor> = {};
  const glorot = (name: string, shape: number[], fanIn: number, fanOut: number): void => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    p[name] = randu(shape, rng, -a, a);
  };
  const lstm = (prefix: string, inputs: number, H: number): void => {
    glorot(`${prefix}W`, [inputs + H, 4 * H], inputs + H, 4 * H);
    // Gate order i, f, o, g: forget-gate bias 1 so the cell keeps its state early in training.
    p[`${prefix}b`] = tf.tensor1d(Array.from({ length: 4 * H }, (_, j) => (j >= H && j < 2 * H ? 1 : 0)));
  };
  p.embedding = randu([cfg.vocabSize, cfg.embedDim], rng, -0.3 * Math.sqrt(3), 0.3 * Math.sqrt(3));
  for (let i = 0; i < cfg.encoderConvLayers; i++) {
    glorot(
      `encConv${i}W`,
      [cfg.encoderKernel, cfg.embedDim, cfg.embedDim],
      cfg.encoderKernel * cfg.embedDim,
      cfg.embedDim,
    );
    p[`encConv${i}Gamma`] = tf.ones([cfg.embedDim]);
    p[`encConv${i}Beta`] = tf.zeros([cfg.embedDim]);
  }
  lstm('encFwd', cfg.embedDim, cfg.encoderLstm);
  lstm('encBwd', cfg.embedDim, cfg.encoderLstm);
  const De = 2 * cfg.encoderLstm;
  glorot('prenet0W', [cfg.melDims, cfg.prenetDim], cfg.melDims, cfg.prenetDim);
  p.prenet0b = tf.zeros([cfg.prenetDim]);
  glorot('prenet1W', [cfg.prenetDim, cfg.prenetDim], cfg.prenetDim, cfg.prenetDim);
  p.prenet1b = tf.zeros([cfg.prenetDim]);
  lstm('attLstm', cfg.prenetDim + De, cfg.attentionLstm);
  glorot('attMemoryW', [De, cfg.attentionDim], De, cfg.attentionDim);
  glorot('attWq', [cfg.attentionLstm, cfg.attentionDim], cfg.attentionLstm, cfg.attentionDim);
  glorot('attFilters', [cfg.locationKernel, 2, cfg.locationFilters], 2 * cfg.locationKernel, cfg.locationFilters);
  glorot('attU', [cfg.locationFilters, cfg.attentionDim], cfg.locationFilters, cfg.attentionDim);
  glorot('attW', [cfg.attentionDim], cfg.attentionDim, 1);
  p.attB = tf.zeros([cfg.attentionDim]);
  lstm('decLstm', cfg.attentionLstm + De, cfg.decoderLstm);
  glorot('projMelW', [cfg.decoderLstm + De, cfg.r * cfg.melDims], cfg.decoderLstm + De, cfg.r * cfg.melDims);
  p.projMelb = tf.zeros([cfg.r * cfg.melDims]);
  glorot('projStopW', [cfg.decoderLstm + De, 1], cfg.decoderLstm + De, 1);
  p.projStopb = tf.zeros([1]);
  for (let i = 0; i < cfg.postnetLayers; i++) {
    const cin = i === 0 ? cfg.melDims : cfg.postnetChannels;
    const cout = i === cfg.postnetLayers - 1 ? cfg.melDims : cfg.postnetChannels;
    glorot(`post${i}W`, [cfg.postnetKernel, cin, cout], cfg.postnetKernel * cin, cout);
    p[`post${i}b`] = tf.zeros([cout]);
  }
  const params: TacotronParams = {};
  for (const [name, t] of Object.entries(p)) {
    params[name] = tf.variable(t, true);
    t.dispose();
  }
  const bnStats: TacotronBatchNormStats = {};
  for (let i = 0; i < cfg.encoderConvLayers; i++) {
    bnStats[`bn${i}Mean`] = tf.tidy(() => tf.variable(tf.zeros([cfg.embedDim]), false));
    bnStats[`bn${i}Var`] = tf.tidy(() => tf.variable(tf.ones([cfg.embedDim]), false));
  }
  return { config: { ...cfg }, params, bnStats, melNorm: { ...melNorm } };
}

/** An independent copy (same weights, statistics and normalisation; new variables). */
export function cloneTacotron2(model: Tacotron2): Tacotron2 {
  const copy = (r: Record<string, tf.Variable>, trainable: boolean) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, tf.variable(v, trainable)]));
  return {
    config: { ...model.config },
    params: copy(model.params, true),
    bnStats: copy(model.bnStats, false),
    melNorm: { ...model.melNorm },
  };
}

/** Frees the model's variables. */
export function disposeTacotron2(model: Tacotron2): void {
  tf.dispose([...Object.values(model.params), ...Object.values(model.bnStats)]);
}

/** Number of trained weights. */
export function tacotronParameterCount(model: Tacotron2): number {
  return Object.values(model.params).reduce((s, p) => s + p.size, 0);
}
