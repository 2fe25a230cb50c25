/**
 * Image captioning with a recurrent decoder (CS231n A3 / EECS 498 A4–A5 design), trained
 * with hand-written backward passes only.
 *
 *   image features ──affine──▶ h₀ [N, H]                      (cellType 'rnn' | 'lstm')
 *   spatial features [N, D, P, P] ──1×1 affine──▶ A [N, H, P, P]  (cellType 'attention':
 *                                         h₀ = c₀ = mean of A, each step attends over A)
 *   captions_in [N, T] ──embedding──▶ x [N, T, W] ──cell──▶ h [N, T, H]
 *   h ──temporal affine──▶ scores [N, T, V] ──masked softmax loss vs captions_out──▶ L
 *
 * with captions_in = captions[:, :-1], captions_out = captions[:, 1:] and
 * mask = captions_out ≠ <NULL>, so padding after <END> never counts.
 *
 * Shapes: N batch, T time (caption length − 1), D image feature size, P spatial side,
 * W word-vector size, H hidden size, V vocabulary size.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { Rng, randn } from '../../core/random';
import { affineForward, affineBackward } from '../../layers/affine';
import { wordEmbeddingForward, wordEmbeddingBackward } from '../../layers/embedding';
import { rnnForward, rnnBackward, rnnStepForward } from '../../layers/rnn';
import { lstmForward, lstmBackward, lstmStepForward } from '../../layers/lstm';
import { attentionLstmForward, attentionLstmBackward } from '../../layers/attentionLstm';
import { attentionLstmStepForward } from '../../layers/attentionLstmStep';
import { dotProductAttention } from '../../layers/spatialAttention';
import { temporalAffineForward, temporalAffineBackward, temporalSoftmaxLoss } from '../../layers/temporal';

export type CaptionCellType = 'rnn' | 'lstm' | 'attention';
/** The three decoders, in the order the notebook compares them. */
export const CAPTION_CELL_TYPES: readonly CaptionCellType[] = ['rnn', 'lstm', 'attention'];

export interface CaptioningRnnOptions {
  /** Vocabulary; must contain `<NULL>`, `<START>` and `<END>`. */
  wordToIdx: Record<string, number>;
  /** D: channels of the image features (the pooled vector, or the spatial map for 'attention'). */
  inputDim: number;
  /** W: word-vector size (default 32). */
  wordvecDim?: number;
  /** H: hidden size (default 64). */
  hiddenDim?: number;
  cellType?: CaptionCellType;
  seed?: number;
  /**
   * 'random' (default): the EECS 498 scaled normal init (embedding std 1/100, weights
   * 1/√fan-in, biases 0). 'linspace': every parameter = linspace(−1.4, 1.3) over its
   * elements, reshaped — the assignments' deterministic weights for checking against a
   * reference.
   */
  init?: 'random' | 'linspace';
}

export interface CaptionSample {
  /** [N][maxLength] word ids: the generated words, `<END>` if produced, then `<NULL>`. */
  indices: number[][];
  /** The generated words of each caption (without `<END>`). */
  words: string[][];
  /** For 'attention': per caption, per generated token (including `<END>`), the [P][P] attention map. */
  attention?: number[][][][];
}

/** Decoder state between steps: hidden and cell state [N, H]; for 'attention' the projected map A [N, H, P, P]. */
export interface DecoderState {
  h: tf.Tensor;
  c: tf.Tensor;
  A: tf.Tensor | null;
}

/** Frees a decoder state (h, c, and A when present). */
export function disposeDecoderState(state: DecoderState): void {
  tf.dispose([state.h, state.c, ...(state.A ? [state.A] : [])]);
}

/** `count` evenly spaced numbers from `lo` to `hi` (inclusive). */
export function linspace(lo: number, hi: number, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = count === 1 ? lo : lo + ((hi - lo) * i) / (count - 1);
  return out;
}

export class CaptioningRNN {
  readonly cellType: CaptionCellType;
  readonly wordToIdx: Record<string, number>;
  readonly idxToWord: string[];
  readonly dims: { D: number; W: number; H: number; V: number };
  /** Parameters by name (W_proj, b_proj, W_embed, Wx, Wh, b, [Wattn], W_vocab, b_vocab), for the optimizer. */
  readonly params: Record<string, tf.Variable>;
  private readonly nullIdx: number;
  private readonly startIdx: number;
  private readonly endIdx: number;

  constructor(opts: CaptioningRnnOptions) {
    const {
      wordToIdx,
      inputDim,
      wordvecDim = 32,
      hiddenDim = 64,
      cellType = 'rnn',
      seed = 0,
      init = 'random',
    } = opts ?? ({} as CaptioningRnnOptions);
    const c = checkArgs('CaptioningRNN')
      .number('inputDim', inputDim, { integer: true, min: 1 })
      .number('wordvecDim', wordvecDim, { integer: true, min: 1 })
      .number('hiddenDim', hiddenDim, { integer: true, min: 1 })
      .number('seed', seed, { integer: true })
      .require(
        ['rnn', 'lstm', 'attention'].includes(cellType),
        `cellType must be 'rnn', 'lstm' or 'attention' but got '${cellType}'`,
      )
      .require(init === 'random' || init === 'linspace', `init must be 'random' or 'linspace' but got '${init}'`)
      .require(
        wordToIdx !== null && typeof wordToIdx === 'object',
        "argument 'wordToIdx' expected Record<string, number>",
      );
    for (const tok of ['<NULL>', '<START>', '<END>'])
      c.require(Number.isInteger(wordToIdx[tok]), `wordToIdx has no '${tok}'`);
    const V = Object.keys(wordToIdx).length;
    this.idxToWord = new Array<string>(V);
    for (const [w, i] of Object.entries(wordToIdx)) {
      c.require(
        Number.isInteger(i) && i >= 0 && i < V && this.idxToWord[i] === undefined,
        `wordToIdx must map ${V} words onto 0..${V - 1} (bad id for '${w}')`,
      );
      this.idxToWord[i] = w;
    }
    this.cellType = cellType;
    this.wordToIdx = { ...wordToIdx };
    this.nullIdx = wordToIdx['<NULL>'];
    this.startIdx = wordToIdx['<START>'];
    this.endIdx = wordToIdx['<END>'];
    const [D, W, H] = [inputDim, wordvecDim, hiddenDim];
    this.dims = { D, W, H, V };
    const G = cellType === 'rnn' ? H : 4 * H;
    const rng = new Rng(seed);
    const shapes: [string, number[], number][] = [
      ['W_proj', [D, H], 1 / Math.sqrt(D)],
      ['b_proj', [H], 0],
      ['W_embed', [V, W], 1 / 100],
      ['Wx', [W, G], 1 / Math.sqrt(W)],
      ['Wh', [H, G], 1 / Math.sqrt(H)],
      ['b', [G], 0],
      ...(cellType === 'attention' ? ([['Wattn', [H, G], 1 / Math.sqrt(H)]] as [string, number[], number][]) : []),
      ['W_vocab', [H, V], 1 / Math.sqrt(H)],
      ['b_vocab', [V], 0],
    ];
    this.params = {};
    for (const [name, shape, std] of shapes) {
      const size = shape.reduce((a, b) => a * b, 1);
      const value =
        init === 'linspace'
          ? tf.tensor(linspace(-1.4, 1.3, size), shape)
          : std === 0
            ? tf.zeros(shape)
            : randn(shape, rng, std);
      this.params[name] = tf.variable(value, true, undefined);
      value.dispose();
    }
  }

  /** The feature shape this cell type reads: [N, D] (pooled) or [N, D, P, P] (spatial, for attention). */
  get featureSpec(): (string | number)[] {
    return this.cellType === 'attention' ? ['N', this.dims.D, 'P', 'P'] : ['N', this.dims.D];
  }

  private check(fn: string, features: tf.Tensor, captions?: tf.Tensor): void {
    const c = checkArgs(fn).tensor('features', features, this.featureSpec, 'float32');
    if (captions !== undefined) {
      c.tensor('captions', captions, ['N', 'L'], 'int32').require(
        c.dims.L >= 2,
        `captions need length ≥ 2 (<START> and one more token) but got ${c.dims.L}`,
      );
    }
  }

  /**
   * Loss and the gradient of every parameter, by the hand-written backward passes.
   *
   * @param features [N, D] for 'rnn'/'lstm', [N, D, P, P] for 'attention'
   * @param captions int32 [N, T + 1]: `<START> w₁ … <END> <NULL>…`
   * @returns `loss` (summed over time, averaged over the batch) and `grads` keyed like `params`
   */
  loss(features: tf.Tensor, captions: tf.Tensor): { loss: number; grads: Record<string, tf.Tensor> } {
    this.check('CaptioningRNN.loss', features, captions);
    let loss = 0;
    const grads = tf.tidy(() => {
      const f = this.forward(features, captions);
      loss = f.loss;
      return f.backward();
    });
    return { loss, grads };
  }

  /** The loss only (no backward), e.g. for validation. */
  evaluateLoss(features: tf.Tensor, captions: tf.Tensor): number {
    this.check('CaptioningRNN.evaluateLoss', features, captions);
    let loss = 0;
    tf.tidy(() => {
      loss = this.forward(features, captions).loss;
    });
    return loss;
  }

  /** Forward pass (call inside tf.tidy: the caches it makes are freed with the scope). */
  private forward(
    features: tf.Tensor,
    captions: tf.Tensor,
  ): { loss: number; backward: () => Record<string, tf.Tensor> } {
    const p = this.params;
    const [N, L] = captions.shape;
    const T = L - 1;
    const { D, H } = this.dims;
    // BEGIN SOLUTION
    const captionsIn = tf.slice(captions, [0, 0], [N, T]);
    const captionsOut = tf.slice(captions, [0, 1], [N, T]);
    const mask = tf.notEqual(captionsOut, this.nullIdx);
    const emb = wordEmbeddingForward(captionsIn, p.W_embed);
    let h: tf.Tensor;
    let backwardCell: (dh: tf.Tensor) => Record<string, tf.Tensor>;
    if (this.cellType === 'attention') {
      // A 1×1 "convolution": the same affine map at each of the P·P positions.
      const P = features.shape[2] as number;
      const featRows = tf.transpose(tf.reshape(features, [N, D, P * P]), [0, 2, 1]); // [N, P·P, D]
      const proj = temporalAffineForward(featRows, p.W_proj, p.b_proj);
      const A = tf.reshape(tf.transpose(proj.out, [0, 2, 1]), [N, H, P, P]);
      const cell = attentionLstmForward(emb.out, A, p.Wx, p.Wh, p.Wattn, p.b);
      h = cell.h;
      backwardCell = (dh) => {
        const { dx, dA, dWx, dWh, dWattn, db } = attentionLstmBackward(dh, cell.cache);
        const dProj = tf.transpose(tf.reshape(dA, [N, H, P * P]), [0, 2, 1]);
        const { dw: W_proj, db: b_proj } = temporalAffineBackward(dProj, proj.cache);
        return { dx, W_proj, b_proj, Wx: dWx, Wh: dWh, Wattn: dWattn, b: db };
      };
    } else {
      const proj = affineForward(features, p.W_proj, p.b_proj);
      const cell = (this.cellType === 'rnn' ? rnnForward : lstmForward)(emb.out, proj.out, p.Wx, p.Wh, p.b);
      h = cell.h;
      backwardCell = (dh) => {
        const { dx, dh0, dWx, dWh, db } =
          this.cellType === 'rnn'
            ? rnnBackward(dh, cell.cache as Parameters<typeof rnnBackward>[1])
            : lstmBackward(dh, cell.cache as Parameters<typeof lstmBackward>[1]);
        const { dw: W_proj, db: b_proj } = affineBackward(dh0, proj.cache);
        return { dx, W_proj, b_proj, Wx: dWx, Wh: dWh, b: db };
      };
    }
    const scores = temporalAffineForward(h, p.W_vocab, p.b_vocab);
    const { loss, dx: dscores } = temporalSoftmaxLoss(scores.out, captionsOut, mask);
    const backward = (): Record<string, tf.Tensor> => {
      const { dx: dh, dw: W_vocab, db: b_vocab } = temporalAffineBackward(dscores, scores.cache);
      const { dx: dEmb, ...cellGrads } = backwardCell(dh);
      const { dW: W_embed } = wordEmbeddingBackward(dEmb, emb.cache);
      return { ...cellGrads, W_embed, W_vocab, b_vocab };
    };
    // END SOLUTION
    return { loss, backward };
  }

  /**
   * The decoder's initial state: h₀ = f·W_proj + b_proj and c₀ = 0 ('rnn', 'lstm'), or for
   * 'attention' the projected map A [N, H, P, P] with h₀ = c₀ = mean of A over positions.
   * Free it with {@link disposeDecoderState}.
   *
   * @param features [N, D] or [N, D, P, P] (as for {@link loss})
   */
  startDecoding(features: tf.Tensor): DecoderState {
    this.check('CaptioningRNN.startDecoding', features);
    const p = this.params;
    const N = features.shape[0];
    const { D, H } = this.dims;
    // (tf.tidy keeps every tensor it finds in the returned object; null entries are skipped.)
    return tf.tidy((): tf.TensorContainer => {
      let A: tf.Tensor | null = null;
      if (this.cellType === 'attention') {
        const P = features.shape[2] as number;
        const featRows = tf.reshape(tf.transpose(tf.reshape(features, [N, D, P * P]), [0, 2, 1]), [N * P * P, D]);
        const projRows = tf.add(tf.matMul(featRows, p.W_proj), p.b_proj);
        A = tf.reshape(tf.transpose(tf.reshape(projRows, [N, P * P, H]), [0, 2, 1]), [N, H, P, P]);
      }
      const h = A ? tf.mean(A, [2, 3]) : tf.add(tf.matMul(features, p.W_proj), p.b_proj);
      const c = this.cellType === 'lstm' ? tf.zerosLike(h) : tf.clone(h);
      return { h, c, A } as unknown as tf.TensorContainer;
    }) as unknown as DecoderState;
  }

  /**
   * One decoder step: embed `words` [N] (int32), advance the cell, score the vocabulary.
   * Returns the next state (sharing `state.A`), `scores` [N, V] before any softmax, and for
   * 'attention' the weights [N, P, P] the step attended with (null otherwise). The caller
   * owns everything returned; `state` is left untouched.
   */
  decodeStep(
    state: DecoderState,
    words: tf.Tensor,
  ): { state: DecoderState; scores: tf.Tensor; weights: tf.Tensor | null } {
    checkArgs('CaptioningRNN.decodeStep')
      .tensor('state.h', state?.h, ['N', this.dims.H], 'float32')
      .tensor('state.c', state.c, ['N', this.dims.H], 'float32')
      .tensor('words', words, ['N'], 'int32');
    checkArgs('CaptioningRNN.decodeStep').require(
      (state.A !== null) === (this.cellType === 'attention'),
      `state.A must be ${this.cellType === 'attention' ? 'the projected feature map' : 'null'} ` +
        `for cell type '${this.cellType}'`,
    );
    const p = this.params;
    type Step = { state: DecoderState; scores: tf.Tensor; weights: tf.Tensor | null };
    return tf.tidy((): tf.TensorContainer => {
      // BEGIN SOLUTION
      const x = tf.gather(p.W_embed, words);
      let h: tf.Tensor,
        c: tf.Tensor = tf.clone(state.c),
        weights: tf.Tensor | null = null;
      if (this.cellType === 'rnn') {
        h = rnnStepForward(x, state.h, p.Wx, p.Wh, p.b).nextH;
      } else if (this.cellType === 'lstm') {
        ({ nextH: h, nextC: c } = lstmStepForward(x, state.h, state.c, p.Wx, p.Wh, p.b));
      } else {
        const att = dotProductAttention(state.h, state.A as tf.Tensor);
        weights = att.attnWeights;
        ({ nextH: h, nextC: c } = attentionLstmStepForward(x, state.h, state.c, att.attn, p.Wx, p.Wh, p.Wattn, p.b));
      }
      const scores = tf.add(tf.matMul(h, p.W_vocab), p.b_vocab);
      // END SOLUTION
      return { state: { h, c, A: state.A }, scores, weights } as unknown as tf.TensorContainer;
    }) as unknown as Step;
  }

  /**
   * Greedy decoding: start from `<START>`, feed back the most likely word (never `<NULL>`
   * or `<START>`) until `<END>` or `maxLength` words.
   *
   * @param features [N, D] or [N, D, P, P] (as for {@link loss})
   */
  sample(features: tf.Tensor, maxLength = 12): CaptionSample {
    this.check('CaptioningRNN.sample', features);
    checkArgs('CaptioningRNN.sample').number('maxLength', maxLength, { integer: true, min: 1 });
    const N = features.shape[0];
    const { V } = this.dims;
    const attention = this.cellType === 'attention';
    const indices = Array.from({ length: N }, () => new Array<number>(maxLength).fill(this.nullIdx));
    const maps: number[][][][] = Array.from({ length: N }, () => []);
    const done = new Array<boolean>(N).fill(false);
    // Scores of the tokens a caption may never contain are pushed to −1e9 before the argmax.
    const banned = tf.tidy(() =>
      tf.tensor1d(Array.from({ length: V }, (_, v) => (v === this.nullIdx || v === this.startIdx ? -1e9 : 0))),
    );
    let state = this.startDecoding(features);
    const first = state;
    let word = tf.fill([N], this.startIdx, 'int32');
    for (let t = 0; t < maxLength && !done.every(Boolean); t++) {
      const step = this.decodeStep(state, word);
      const next = tf.tidy(() => tf.cast(tf.argMax(tf.add(step.scores, banned), 1), 'int32'));
      const words = next.dataSync();
      const w = step.weights ? step.weights.dataSync() : null;
      const P = step.weights ? (step.weights.shape[1] as number) : 0;
      for (let n = 0; n < N; n++) {
        if (done[n]) continue;
        indices[n][t] = words[n];
        if (w)
          maps[n].push(
            Array.from({ length: P }, (_, i) => Array.from(w.subarray(n * P * P + i * P, n * P * P + (i + 1) * P))),
          );
        if (words[n] === this.endIdx) done[n] = true;
      }
      tf.dispose([state.h, state.c, word, step.scores, ...(step.weights ? [step.weights] : [])]);
      state = step.state;
      word = next;
    }
    tf.dispose([state.h, state.c, word, banned]);
    if (first.A) first.A.dispose();
    const words = indices.map((row) => {
      const out: string[] = [];
      for (const id of row) {
        if (id === this.endIdx || id === this.nullIdx) break;
        out.push(this.idxToWord[id]);
      }
      return out;
    });
    return attention ? { indices, words, attention: maps } : { indices, words };
  }

  /** Frees the parameters. */
  dispose(): void {
    tf.dispose(Object.values(this.params));
  }
}
