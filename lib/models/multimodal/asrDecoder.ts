/**
 * The character ASR decoder of the pre-training (one transformer decoder layer, teacher forcing),
 * composed from two pre-norm blocks of lib/layers/transformerBlock.ts:
 *
 *   y⁰ = Emb(c_{<t}) + P                                  ('^' then the characters)  [N, Tc, E]
 *   y¹ = Block_self(y⁰, causal mask)                       (a character sees only earlier ones)
 *   y² = Block_cross(y¹ ← joint, audio key mask)           (queries characters, keys/values the encoder)
 *   logits = y²·W_o + b_o                                  [N, Tc, V]
 *   L_ASR = −(1/Σ m) Σ_{n,t} m[n,t] log softmax(logits[n,t])[c_t]     (mean per character)
 *
 * (A standard decoder layer has one FFN after both attentions; two blocks give each attention its
 * own FFN — a small deviation that keeps the decoder made of the checked block.) Backward: the
 * temporal softmax loss, the output affine, the cross block (dx and dcontext = djoint), the self
 * block and the embedding's scatter-add.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randn } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { disposeCache } from '../../layers/cache';
import { wordEmbeddingBackward, wordEmbeddingForward, WordEmbeddingCache } from '../../layers/embedding';
import { sinusoidalPositions } from '../../layers/positionalEncoding';
import {
  temporalAffineBackward,
  temporalAffineForward,
  temporalSoftmaxLoss,
  TemporalAffineCache,
} from '../../layers/temporal';
import {
  transformerBlockBackward,
  transformerBlockForward,
  TransformerBlockCache,
} from '../../layers/transformerBlock';
import type { MultimodalBatch } from './batch';
import {
  transformerBlockParamsAt,
  CrossModalEncoderConfig,
  initTransformerBlockAt,
  MultimodalParams,
  ownedVariable,
} from './crossModalEncoder';

/** Decoder parameters (charEmbed.W, decSelf.*, decCross.*, charOut.*). */
export function initAsrDecoder(cfg: CrossModalEncoderConfig, chars: number, rng: Rng): MultimodalParams {
  const { E, F } = cfg;
  return {
    'charEmbed.W': ownedVariable(randn([chars, E], rng, 1)),
    ...initTransformerBlockAt('decSelf', E, F, rng, false),
    ...initTransformerBlockAt('decCross', E, F, rng, true),
    'charOut.W': ownedVariable(randn([E, chars], rng, Math.sqrt(2 / (E + chars)))),
    'charOut.b': ownedVariable(tf.zeros([chars])),
  };
}

/** [1, T, T] lower-triangular mask (1 where key ≤ query), broadcast over the batch by tiling. */
function causalMask(N: number, T: number): tf.Tensor3D {
  return tf.tidy(() => tf.tile(tf.expandDims(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 0), [N, 1, 1]) as tf.Tensor3D);
}

type DecoderCache = {
  embed: WordEmbeddingCache;
  self: TransformerBlockCache;
  cross: TransformerBlockCache;
  out: TemporalAffineCache;
};

function decode(
  p: MultimodalParams,
  charsIn: tf.Tensor,
  joint: tf.Tensor,
  frameKeys: tf.Tensor,
  cfg: CrossModalEncoderConfig,
  training: boolean,
  rng?: Rng,
): { logits: tf.Tensor3D; cache: DecoderCache } {
  const [N, T] = charsIn.shape;
  return tf.tidy(() => {
    const blockOpts = { heads: cfg.heads, dropout: cfg.dropout, rng, training };
    const emb = wordEmbeddingForward(charsIn, p['charEmbed.W']);
    const self = transformerBlockForward(
      tf.add(emb.out, sinusoidalPositions(T, cfg.E)),
      null,
      transformerBlockParamsAt(p, 'decSelf'),
      { ...blockOpts, mask: causalMask(N, T) },
    );
    const cross = transformerBlockForward(self.out, joint, transformerBlockParamsAt(p, 'decCross'), {
      ...blockOpts,
      mask: frameKeys,
    });
    const out = temporalAffineForward(cross.out, p['charOut.W'], p['charOut.b']);
    return {
      logits: out.out as tf.Tensor3D,
      cache: { embed: emb.cache, self: self.cache, cross: cross.cache, out: out.cache },
    };
  });
}

/** Teacher-forced loss (mean per character), the gradient for the joint output and the decoder's gradients. */
export function asrDecoderLoss(
  p: MultimodalParams,
  joint: tf.Tensor,
  batch: MultimodalBatch,
  cfg: CrossModalEncoderConfig,
  opts: { training: boolean; rng?: Rng },
): { loss: number; djoint: tf.Tensor3D; grads: Record<string, tf.Tensor> } {
  checkArgs('asrDecoderLoss').tensor('joint', joint, [batch?.N, batch.Ta, cfg.E], 'float32');
  const { logits, cache } = decode(p, batch.charsIn, joint, batch.frameKeys, cfg, opts.training, opts.rng);
  const chars = tf.tidy(() => tf.sum(batch.charMask).dataSync()[0]);
  const { loss, dx } = temporalSoftmaxLoss(logits, batch.charsOut, batch.charMask); // Σ over characters / N
  logits.dispose();
  const scale = batch.N / chars;
  const out = tf.tidy(() => {
    const dOut = temporalAffineBackward(tf.mul(dx, scale), cache.out);
    const dCross = transformerBlockBackward(dOut.dx, cache.cross);
    const dSelf = transformerBlockBackward(dCross.dx, cache.self);
    const pre = (prefix: string, g: Record<string, tf.Tensor>) =>
      Object.fromEntries(Object.entries(g).map(([k, v]) => [`${prefix}.${k}`, v]));
    return {
      djoint: dCross.dcontext as tf.Tensor3D,
      grads: {
        ...pre('decCross', dCross.params),
        ...pre('decSelf', dSelf.params),
        'charEmbed.W': wordEmbeddingBackward(dSelf.dx, cache.embed).dW,
        'charOut.W': dOut.dw,
        'charOut.b': dOut.db,
      },
    };
  });
  dx.dispose();
  disposeCache(cache);
  return { loss: loss * scale, ...out };
}

/**
 * Greedy decoding: starting from '^', feed the decoder its own best character until it emits '^'
 * (end) or `maxLength` characters. Returns the character-index sequences (without the symbols).
 */
export function asrGreedyDecode(
  p: MultimodalParams,
  joint: tf.Tensor,
  frameKeys: tf.Tensor,
  cfg: CrossModalEncoderConfig,
  maxLength: number,
): number[][] {
  checkArgs('asrGreedyDecode')
    .tensor('joint', joint, ['N', 'Ta', cfg?.E], 'float32')
    .number('maxLength', maxLength, { integer: true, min: 1 });
  const N = joint.shape[0];
  const seqs: number[][] = Array.from({ length: N }, () => [1]);
  const done = new Array(N).fill(false);
  for (let t = 0; t < maxLength && done.some((d) => !d); t++) {
    const next = tf.tidy(() => {
      const input = tf.tensor2d(seqs.flat(), [N, t + 1], 'int32');
      const { logits, cache } = decode(p, input, joint, frameKeys, cfg, false);
      disposeCache(cache);
      return tf.argMax(tf.squeeze(tf.slice(logits, [0, t, 0], [N, 1, -1]), [1]), 1);
    });
    const best = Array.from(next.dataSync());
    next.dispose();
    best.forEach((c, n) => {
      if (c === 1 || c === 0) done[n] = true;
      seqs[n].push(done[n] ? 0 : c);
    });
  }
  return seqs.map((s) => s.slice(1).filter((c) => c > 1));
}
