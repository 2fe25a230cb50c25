/**
 * A small character recognizer for CTC: log filterbank features → a strided 1-D convolution
 * over time (ReLU) → bidirectional LSTM layers → an affine map to character scores, every
 * backward written by hand from the project's layers.
 *
 * Shapes, with x [N, T, F] (per-utterance normalised features, zero-padded past each
 * utterance's length), K the conv kernel, s its stride, Cc its channels, H the LSTM size,
 * V the alphabet (blank included):
 *
 *   conv:   x padded by ⌊K/2⌋ frames each side, seen as an image [N, T + 2⌊K/2⌋, 1, F];
 *           w [K, 1, F, Cc], stride s  → z [N, T', Cc],  T' = ⌊(T + 2⌊K/2⌋ − K)/s⌋ + 1
 *           a valid input of Tₙ frames gives T'ₙ = ⌊(Tₙ + 2⌊K/2⌋ − K)/s⌋ + 1 valid outputs
 *   relu:   h₀ = max(0, z)
 *   BiLSTM layer ℓ (input hℓ₋₁ [N, T', Dℓ]):
 *           →h = LSTM_f(hℓ₋₁)        ←h = R(LSTM_b(R(hℓ₋₁)))        hℓ = [→h ; ←h]  [N, T', 2H]
 *           R reverses each utterance within its own length (padding stays at the end), so
 *           the backward direction starts at the utterance's last real frame. R is a
 *           permutation that is its own inverse: its backward is R again.
 *   output: logits = h_L · W + b   [N, T', V]
 *
 * Backward: the affine, LSTM, ReLU and conv backwards of lib/layers in reverse order; the
 * two directions' input gradients add. The conv's input gradient is not needed (features
 * are data) and is discarded.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { Rng, randn } from '../../core/random';
import { conv2dForward, conv2dBackward, Conv2dCache } from '../../layers/conv';
import { convOutputSize } from '../../ops/im2col';
import { reluForward, reluBackward, ReluCache } from '../../layers/relu';
import { lstmForward, lstmBackward, LstmCache } from '../../layers/lstm';
import { temporalAffineForward, temporalAffineBackward, TemporalAffineCache } from '../../layers/temporal';

export interface SpeechRecognizerConfig {
  /** Feature dimension F (40 log filterbank energies, or 80 log-mel bins). */
  featureDim: number;
  /** Alphabet size V, blank (id 0) included. */
  vocabSize: number;
  /** Conv channels Cc (default 64). */
  convChannels?: number;
  /** Conv kernel K in frames (default 5). */
  convKernel?: number;
  /** Time subsampling s: the conv's stride (default 2). */
  subsample?: number;
  /** LSTM hidden size H per direction (default 128). */
  hidden?: number;
  /** Stacked BiLSTM layers (default 1). */
  lstmLayers?: number;
}

export type SpeechRecognizerParams = Record<string, tf.Variable>;

/** The config with its defaults filled in. */
export function recognizerDefaults(config: SpeechRecognizerConfig): Required<SpeechRecognizerConfig> {
  const full = { convChannels: 64, convKernel: 5, subsample: 2, hidden: 128, lstmLayers: 1, ...config };
  const c = checkArgs('recognizerDefaults');
  for (const [k, v] of Object.entries(full)) c.number(k, v, { integer: true, min: 1 });
  c.require(full.vocabSize >= 2, `argument 'vocabSize' expected ≥ 2 (blank + one label) but got ${full.vocabSize}`);
  return full;
}

/** Valid output frames T' for inputs of `frames` valid frames (see the module comment). */
export function recognizerOutputLength(frames: number, config: SpeechRecognizerConfig): number {
  const { convKernel: K, subsample: s } = recognizerDefaults(config);
  return Math.max(0, convOutputSize(frames + 2 * Math.floor(K / 2), K, s));
}

/**
 * Seeded initial weights: conv He-normal (std √(2/(K·F))), LSTM input weights std 1/√D and
 * recurrent std 1/√H with the forget-gate bias at 1 (gate order i, f, o, g), output std 1/√(2H).
 */
export function initSpeechRecognizer(config: SpeechRecognizerConfig, seed: number): SpeechRecognizerParams {
  const {
    featureDim: F,
    vocabSize: V,
    convChannels: Cc,
    convKernel: K,
    hidden: H,
    lstmLayers,
  } = recognizerDefaults(config);
  const rng = new Rng(seed);
  const v = (t: tf.Tensor): tf.Variable => {
    const out = tf.variable(t, true);
    t.dispose();
    return out;
  };
  const params: SpeechRecognizerParams = {
    convW: v(randn([K, 1, F, Cc], rng, Math.sqrt(2 / (K * F)))),
    convB: v(tf.zeros([Cc])),
  };
  for (let l = 0; l < lstmLayers; l++) {
    const D = l === 0 ? Cc : 2 * H;
    for (const dir of ['fwd', 'bwd']) {
      params[`l${l}${dir}Wx`] = v(randn([D, 4 * H], rng, 1 / Math.sqrt(D)));
      params[`l${l}${dir}Wh`] = v(randn([H, 4 * H], rng, 1 / Math.sqrt(H)));
      params[`l${l}${dir}b`] = v(tf.tidy(() => tf.concat([tf.zeros([H]), tf.ones([H]), tf.zeros([2 * H])])));
    }
  }
  params.outW = v(randn([2 * H, V], rng, 1 / Math.sqrt(2 * H)));
  params.outB = v(tf.zeros([V]));
  return params;
}

/** Row indices of R (see the module comment) for a [N, T] batch flattened to N·T rows. */
function reverseWithinLengths(N: number, T: number, lengths: number[]): tf.Tensor1D {
  const idx = new Int32Array(N * T);
  for (let n = 0; n < N; n++)
    for (let t = 0; t < T; t++) idx[n * T + t] = n * T + (t < lengths[n] ? lengths[n] - 1 - t : t);
  return tf.tensor1d(idx, 'int32');
}

/** x [N, T, D] with each utterance reversed within its length (R is its own inverse). */
function applyReverse(x: tf.Tensor, rev: tf.Tensor1D): tf.Tensor {
  const [N, T, D] = x.shape;
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(x, [N * T, D]), rev), [N, T, D]));
}

export type SpeechRecognizerCache = {
  conv: Conv2dCache;
  relu: ReluCache;
  lstm: { fwd: LstmCache; bwd: LstmCache }[];
  out: TemporalAffineCache;
  rev: tf.Tensor1D;
  dims: { N: number; T: number; H: number };
};

/**
 * @param params from {@link initSpeechRecognizer}
 * @param x [N, T, F] float32 features, zero past each length
 * @param lengths valid frames of each utterance, in [1, T]
 * @returns `logits` [N, T', V], `outLengths` (T'ₙ, the CTC input lengths) and the `cache`
 */
export function speechRecognizerForward(
  params: SpeechRecognizerParams,
  config: SpeechRecognizerConfig,
  x: tf.Tensor,
  lengths: number[],
): { logits: tf.Tensor3D; outLengths: number[]; cache: SpeechRecognizerCache } {
  const cfg = recognizerDefaults(config);
  const c = checkArgs('speechRecognizerForward')
    .tensor('x', x, ['N', 'T', cfg.featureDim], 'float32')
    .tensor('params.convW', params?.convW, [cfg.convKernel, 1, cfg.featureDim, cfg.convChannels]);
  const { N, T } = c.dims;
  c.require(Array.isArray(lengths) && lengths.length === N, `argument 'lengths' expected N=${N} lengths`);
  lengths.forEach((len, n) =>
    c.require(
      Number.isInteger(len) && len >= 1 && len <= T,
      `argument 'lengths' expected integers in [1, T=${T}] but element ${n} is ${len}`,
    ),
  );
  const pad = Math.floor(cfg.convKernel / 2);
  const outLengths = lengths.map((len) => recognizerOutputLength(len, cfg));
  return tf.tidy(() => {
    const xImage = tf.reshape(
      tf.pad(x, [
        [0, 0],
        [pad, pad],
        [0, 0],
      ]),
      [N, T + 2 * pad, 1, cfg.featureDim],
    );
    const conv = conv2dForward(xImage, params.convW, params.convB, { stride: cfg.subsample });
    const T2 = conv.out.shape[1];
    const relu = reluForward(tf.reshape(conv.out, [N, T2, cfg.convChannels]));
    const rev = reverseWithinLengths(N, T2, outLengths);
    const h0 = tf.zeros([N, cfg.hidden]);
    let h = relu.out;
    const lstm: SpeechRecognizerCache['lstm'] = [];
    for (let l = 0; l < cfg.lstmLayers; l++) {
      const fwd = lstmForward(h, h0, params[`l${l}fwdWx`], params[`l${l}fwdWh`], params[`l${l}fwdb`]);
      const bwd = lstmForward(
        applyReverse(h, rev),
        h0,
        params[`l${l}bwdWx`],
        params[`l${l}bwdWh`],
        params[`l${l}bwdb`],
      );
      h = tf.concat([fwd.h, applyReverse(bwd.h, rev)], 2);
      lstm.push({ fwd: fwd.cache, bwd: bwd.cache });
    }
    const out = temporalAffineForward(h, params.outW, params.outB);
    return {
      logits: out.out as tf.Tensor3D,
      outLengths,
      cache: { conv: conv.cache, relu: relu.cache, lstm, out: out.cache, rev, dims: { N, T: T2, H: cfg.hidden } },
    };
  });
}

/**
 * Backward of {@link speechRecognizerForward}: dlogits [N, T', V] → a gradient for every
 * parameter, under the parameter's name.
 */
export function speechRecognizerBackward(dlogits: tf.Tensor, cache: SpeechRecognizerCache): Record<string, tf.Tensor> {
  checkArgs('speechRecognizerBackward').require(
    cache?.dims !== undefined && Array.isArray(cache.lstm),
    "argument 'cache' expected the cache returned by speechRecognizerForward",
  );
  const { N, T, H } = cache.dims;
  checkArgs('speechRecognizerBackward').tensor('dlogits', dlogits, [N, T, 'V'], 'float32');
  return tf.tidy(() => {
    const grads: Record<string, tf.Tensor> = {};
    const out = temporalAffineBackward(dlogits, cache.out);
    grads.outW = out.dw;
    grads.outB = out.db;
    let dh = out.dx;
    for (let l = cache.lstm.length - 1; l >= 0; l--) {
      const [dFwd, dBwd] = tf.split(dh, [H, H], 2);
      const f = lstmBackward(dFwd, cache.lstm[l].fwd);
      const b = lstmBackward(applyReverse(dBwd, cache.rev), cache.lstm[l].bwd);
      Object.assign(grads, { [`l${l}fwdWx`]: f.dWx, [`l${l}fwdWh`]: f.dWh, [`l${l}fwdb`]: f.db });
      Object.assign(grads, { [`l${l}bwdWx`]: b.dWx, [`l${l}bwdWh`]: b.dWh, [`l${l}bwdb`]: b.db });
      dh = tf.add(f.dx, applyReverse(b.dx, cache.rev));
    }
    const dz = reluBackward(dh, cache.relu).dx;
    const conv = conv2dBackward(tf.reshape(dz, [N, T, 1, -1]), cache.conv);
    grads.convW = conv.dw;
    grads.convB = conv.db;
    return grads;
  });
}
