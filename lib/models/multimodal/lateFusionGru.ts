/**
 * The late-fusion baseline of Khare et al.: per modality a 2-layer bidirectional GRU
 * (lib/layers/gru.ts, forward and backward by hand), the last steps of both directions
 * concatenated, the three modalities concatenated, an affine layer of 100 units (ReLU) and six
 * sigmoid outputs trained with weighted BCE.
 *
 * For modality m with x_m [N, T, D] of true lengths ℓ_n (audio 200-dim frames, face embeddings,
 * or embedded words):
 *   layer l:  →h = GRU_f(x),   ←h = R(GRU_b(R(x))),   x ← [→h, ←h]            [N, T, 2H]
 *   r_m[n] = [→h²[n, ℓ_n − 1], ←h²[n, 0]]                                   [N, 2H]
 *   logits = W₂·ReLU(W₁·[α_A r_A, α_V r_V, α_T r_T] + b₁) + b₂                [N, 6]
 * where R reverses each sequence within its own length (padding stays at the end, so the
 * backward GRU starts at the real last frame). R is its own inverse, so R's backward is R.
 * α = 1 in training; a zero α removes the modality at inference (its GRUs are not run).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randn } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { affineBackward, affineForward, AffineCache } from '../../layers/affine';
import { disposeCache } from '../../layers/cache';
import { wordEmbeddingBackward, wordEmbeddingForward, WordEmbeddingCache } from '../../layers/embedding';
import { gruBackward, gruForward, GruCache } from '../../layers/gru';
import { reluBackward, reluForward, ReluCache } from '../../layers/relu';
import { sigmoidBinaryCrossEntropy } from '../../losses/sigmoidBinaryCrossEntropy';
import type { MultimodalBatch } from './batch';
import { ownedVariable, type ModalityWeights, type MultimodalParams } from './crossModalEncoder';

export interface LateFusionConfig {
  hidden: number;
  wordDim: number;
  fusion: number;
  audioDim: number;
  visualDim: number;
  words: number;
}

const MODALITIES = ['audio', 'visual', 'text'] as const;
type Modality = (typeof MODALITIES)[number];

/** Seeded parameters: gru.<m>.l<0|1>.<f|b>.{Wx, Wh, b}, textEmbed.W, fusion1.*, fusion2.*. */
export function initLateFusionGru(cfg: LateFusionConfig, rng: Rng): MultimodalParams {
  const c = checkArgs('initLateFusionGru');
  for (const k of ['hidden', 'wordDim', 'fusion', 'audioDim', 'visualDim', 'words'] as const)
    c.number(`cfg.${k}`, cfg?.[k], { integer: true, min: 1 });
  const H = cfg.hidden;
  const v = ownedVariable;
  const p: MultimodalParams = { 'textEmbed.W': v(randn([cfg.words, cfg.wordDim], rng, 1)) };
  const inDim: Record<Modality, number> = { audio: cfg.audioDim, visual: cfg.visualDim, text: cfg.wordDim };
  for (const m of MODALITIES) {
    for (const l of [0, 1]) {
      const D = l === 0 ? inDim[m] : 2 * H;
      for (const d of ['f', 'b']) {
        p[`gru.${m}.l${l}.${d}.Wx`] = v(randn([D, 3 * H], rng, 1 / Math.sqrt(D)));
        p[`gru.${m}.l${l}.${d}.Wh`] = v(randn([H, 3 * H], rng, 1 / Math.sqrt(H)));
        p[`gru.${m}.l${l}.${d}.b`] = v(tf.zeros([3 * H]));
      }
    }
  }
  p['fusion1.W'] = v(randn([6 * H, cfg.fusion], rng, Math.sqrt(2 / (6 * H))));
  p['fusion1.b'] = v(tf.zeros([cfg.fusion]));
  p['fusion2.W'] = v(randn([cfg.fusion, 6], rng, Math.sqrt(2 / (cfg.fusion + 6))));
  p['fusion2.b'] = v(tf.zeros([6]));
  return p;
}

/** Row indices of R (reverse each sequence within its length) over [N·T] rows. */
function reversalIndex(lengths: number[], T: number): tf.Tensor1D {
  const idx = new Int32Array(lengths.length * T);
  lengths.forEach((len, n) => {
    for (let t = 0; t < T; t++) idx[n * T + t] = n * T + (t < len ? len - 1 - t : t);
  });
  return tf.tensor1d(idx, 'int32');
}

function reverse(x: tf.Tensor, idx: tf.Tensor1D): tf.Tensor {
  const [N, T, D] = x.shape;
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(x, [N * T, D]), idx), [N, T, D]));
}

/** One-hot over time [N, T, 1] at positions `at[n]`. */
function pick(at: number[], T: number): tf.Tensor3D {
  return tf.tidy(() => tf.expandDims(tf.oneHot(tf.tensor1d(at, 'int32'), T), 2).toFloat() as tf.Tensor3D);
}

type StreamCache = { layers: { f: GruCache; b: GruCache }[]; rev: tf.Tensor1D; last: tf.Tensor3D; first: tf.Tensor3D };

function streamForward(
  p: MultimodalParams,
  m: Modality,
  x: tf.Tensor,
  lengths: number[],
  H: number,
): { rep: tf.Tensor2D; cache: StreamCache } {
  const [N, T] = x.shape;
  return tf.tidy((): tf.TensorContainer => {
    const rev = reversalIndex(lengths, T);
    let input = x;
    const layers: StreamCache['layers'] = [];
    for (const l of [0, 1]) {
      const g = (d: string, k: string): tf.Tensor => p[`gru.${m}.l${l}.${d}.${k}`];
      const h0 = tf.zeros([N, H]);
      const f = gruForward(input, h0, g('f', 'Wx'), g('f', 'Wh'), g('f', 'b'));
      const b = gruForward(reverse(input, rev), h0, g('b', 'Wx'), g('b', 'Wh'), g('b', 'b'));
      layers.push({ f: f.cache, b: b.cache });
      input = tf.concat([f.h, reverse(b.h, rev)], 2);
    }
    const last = pick(
        lengths.map((len) => len - 1),
        T,
      ),
      first = pick(
        lengths.map(() => 0),
        T,
      );
    const [hf, hb] = tf.split(input, 2, 2);
    const rep = tf.concat([tf.sum(tf.mul(hf, last), 1), tf.sum(tf.mul(hb, first), 1)], 1) as tf.Tensor2D;
    return { rep, cache: { layers, rev, last, first } } as unknown as tf.TensorContainer;
  }) as unknown as { rep: tf.Tensor2D; cache: StreamCache };
}

/** drep [N, 2H] → dx of the stream's input and the GRU gradients. */
function streamBackward(
  m: Modality,
  drep: tf.Tensor,
  c: StreamCache,
): { dx: tf.Tensor; grads: Record<string, tf.Tensor> } {
  return tf.tidy(() => {
    const [dF, dB] = tf.split(drep, 2, 1);
    let dOut: tf.Tensor = tf.concat([tf.mul(tf.expandDims(dF, 1), c.last), tf.mul(tf.expandDims(dB, 1), c.first)], 2);
    const grads: Record<string, tf.Tensor> = {};
    for (const l of [1, 0]) {
      const [dhf, dhb] = tf.split(dOut, 2, 2);
      const f = gruBackward(dhf, c.layers[l].f);
      const b = gruBackward(reverse(dhb, c.rev), c.layers[l].b);
      for (const [d, g] of [
        ['f', f],
        ['b', b],
      ] as const) {
        grads[`gru.${m}.l${l}.${d}.Wx`] = g.dWx;
        grads[`gru.${m}.l${l}.${d}.Wh`] = g.dWh;
        grads[`gru.${m}.l${l}.${d}.b`] = g.db;
      }
      dOut = tf.add(f.dx, reverse(b.dx, c.rev));
    }
    return { dx: dOut, grads };
  });
}

const ALL_ONE: ModalityWeights = { audio: 1, visual: 1, text: 1 };

type FusionCache = {
  streams: Partial<Record<Modality, StreamCache>>;
  embed: WordEmbeddingCache | null;
  a1: AffineCache;
  relu: ReluCache;
  a2: AffineCache;
  weights: ModalityWeights;
  N: number;
  H: number;
};

function fusionForward(
  p: MultimodalParams,
  batch: MultimodalBatch,
  H: number,
  weights: ModalityWeights,
): { logits: tf.Tensor2D; cache: FusionCache } {
  const streams: FusionCache['streams'] = {};
  let embed: WordEmbeddingCache | null = null;
  const reps: tf.Tensor[] = [];
  for (const m of MODALITIES) {
    if (weights[m] === 0) {
      reps.push(tf.zeros([batch.N, 2 * H]));
      continue;
    }
    let x: tf.Tensor = m === 'audio' ? batch.audio : batch.visual;
    if (m === 'text') {
      const e = wordEmbeddingForward(batch.words, p['textEmbed.W']);
      embed = e.cache;
      x = e.out;
    }
    const s = streamForward(p, m, x, m === 'text' ? batch.wordLengths : batch.lengths, H);
    if (m === 'text') x.dispose();
    streams[m] = s.cache;
    reps.push(tf.mul(s.rep, weights[m]));
    s.rep.dispose();
  }
  const fused = tf.concat(reps, 1);
  tf.dispose(reps);
  const a1 = affineForward(fused, p['fusion1.W'], p['fusion1.b']);
  const relu = reluForward(a1.out);
  const a2 = affineForward(relu.out, p['fusion2.W'], p['fusion2.b']);
  tf.dispose([fused, a1.out, relu.out]);
  return {
    logits: a2.out as tf.Tensor2D,
    cache: { streams, embed, a1: a1.cache, relu: relu.cache, a2: a2.cache, weights, N: batch.N, H },
  };
}

/** Weighted BCE of the baseline on a labelled batch and every gradient (all modalities, α = 1). */
export function lateFusionLoss(
  p: MultimodalParams,
  batch: MultimodalBatch,
  cfg: LateFusionConfig,
  posWeight: number[],
): { loss: number; grads: Record<string, tf.Tensor> } {
  checkArgs('lateFusionLoss').require(batch?.labels !== null, 'the batch needs emotion labels (a labelled split)');
  const { logits, cache } = fusionForward(p, batch, cfg.hidden, ALL_ONE);
  const { loss, dlogits } = sigmoidBinaryCrossEntropy(logits, batch.labels!, { posWeight });
  logits.dispose();
  const grads = tf.tidy(() => {
    const g2 = affineBackward(dlogits, cache.a2);
    const g1 = affineBackward(reluBackward(g2.dx, cache.relu).dx, cache.a1);
    const out: Record<string, tf.Tensor> = {
      'fusion2.W': g2.dw,
      'fusion2.b': g2.db,
      'fusion1.W': g1.dw,
      'fusion1.b': g1.db,
    };
    const dreps = tf.split(g1.dx, 3, 1);
    MODALITIES.forEach((m, i) => {
      const s = streamBackward(m, dreps[i], cache.streams[m]!);
      Object.assign(out, s.grads);
      if (m === 'text') out['textEmbed.W'] = wordEmbeddingBackward(s.dx, cache.embed!).dW;
    });
    return out;
  });
  dlogits.dispose();
  disposeCache(cache as unknown as tf.TensorContainer);
  return { loss, grads };
}

/** Emotion probabilities [N][6]; a zero weight removes that modality (its GRUs are not run). */
export function lateFusionProbabilities(
  p: MultimodalParams,
  batch: MultimodalBatch,
  cfg: LateFusionConfig,
  weights: ModalityWeights = ALL_ONE,
): number[][] {
  const { logits, cache } = fusionForward(p, batch, cfg.hidden, weights);
  const probs = tf.sigmoid(logits);
  logits.dispose();
  disposeCache(cache as unknown as tf.TensorContainer);
  const rows = probs.arraySync() as number[][];
  probs.dispose();
  return rows;
}
