/**
 * The Tacotron 2 encoder for training: the forward of ./encoder.ts with a cache, and its
 * backward, composed from the library's hand-derived layers:
 *
 *   x⁰ = m ⊙ E[ids]                                  wordEmbeddingForward        [N, L, E]
 *   zⁱ = conv1d(xⁱ⁻¹, Wᵢ)                            conv1dSameForward (no bias)
 *   xⁱ = m ⊙ dropout(ReLU(BN(zⁱ)))                   maskedBatchNormForward, ReLU, the run's masks
 *   h = [LSTM→(x³) ; rev(LSTM→(rev(x³)))]            lstmForward (both directions as one
 *                                                     LSTM: ./pairedLstm.ts)       [N, L, 2·H_enc]
 *
 * m [N, L] is the text mask. rev reverses each utterance within its own length (padding stays
 * in place), so the backward LSTM starts at the utterance's last character with a zero state —
 * what ./encoder.ts does by holding the state over the padding. rev is a permutation that is
 * its own inverse: the backward applies it to the gradient.
 *
 * Backward, from dh [N, L, 2·H_enc]: each LSTM's backward (through rev for the second), then
 * per conv layer dropout → ReLU → batch norm → conv backward, and the embedding's scatter-add.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { Conv1dCache, conv1dSameBackward, conv1dSameForward } from '../../layers/conv1d';
import { WordEmbeddingCache, wordEmbeddingBackward, wordEmbeddingForward } from '../../layers/embedding';
import { LstmCache, lstmBackward, lstmForward } from '../../layers/lstm';
import { MaskedBatchNormCache, maskedBatchNormBackward, maskedBatchNormForward } from '../../layers/maskedBatchNorm';
import { dropoutMask, splitLstmWeight } from './cells';
import type { Tacotron2 } from './config';
import { pairLstmWeights, splitPairGradients } from './pairedLstm';

const BN_MOMENTUM = 0.1;

type ConvLayerCache = {
  conv: Conv1dCache;
  bn: MaskedBatchNormCache;
  /** m ⊙ dropout mask ⊙ [BN(z) > 0]: the factor between BN's output and xⁱ. */
  passMask: tf.Tensor;
};

export type EncoderCache = {
  embedding: WordEmbeddingCache;
  mask3: tf.Tensor;
  layers: ConvLayerCache[];
  /** Both directions as one LSTM (./pairedLstm.ts). */
  lstm: LstmCache;
  /** Row permutation of [N·L] rows that reverses each utterance within its length. */
  reverseRows: tf.Tensor;
  dims: { N: number; L: number; E: number; H: number };
};

/** The row indices that reverse each utterance's first `lengths[n]` positions (an involution). */
function reversalIndex(lengths: number[], L: number): tf.Tensor {
  const index = new Int32Array(lengths.length * L);
  lengths.forEach((len, n) => {
    for (let t = 0; t < L; t++) index[n * L + t] = n * L + (t < len ? len - 1 - t : t);
  });
  return tf.tensor1d(index, 'int32');
}

function permuteRows(x: tf.Tensor, rows: tf.Tensor): tf.Tensor {
  const [N, L, D] = x.shape as number[];
  return tf.reshape(tf.gather(tf.reshape(x, [N * L, D]), rows), [N, L, D]);
}

/**
 * The training encoder: batch statistics (the running ones updated), dropout masks from `rng`.
 * @param ids [N, L] int32; @param mask [N, L] float, 1 = a real character (a prefix of each row)
 * @returns memory [N, L, 2·H_enc] and the cache for {@link tacotronEncoderBackward}
 */
export function tacotronEncoderForward(
  model: Tacotron2,
  ids: tf.Tensor,
  mask: tf.Tensor,
  rng: Rng,
): { out: tf.Tensor; cache: EncoderCache } {
  const cfg = model.config;
  const { N, L } = checkArgs('tacotronEncoderForward')
    .tensor('ids', ids, ['N', 'L'], 'int32')
    .tensor('mask', mask, ['N', 'L'], 'float32')
    .require(rng instanceof Rng, "argument 'rng' expected an Rng").dims as { N: number; L: number };
  const maskRows = mask.arraySync() as number[][];
  const lengths = maskRows.map((row) => row.reduce((a, b) => a + b, 0));
  checkArgs('tacotronEncoderForward').require(
    maskRows.every((row, n) => row.every((v, t) => v === (t < lengths[n] ? 1 : 0))),
    "argument 'mask' expected each row to be ones then zeros (real characters first)",
  );
  const p = model.params;
  const E = cfg.embedDim;
  const H = cfg.encoderLstm;
  return tf.tidy(() => {
    const mask3 = tf.expandDims(mask, 2);
    const emb = wordEmbeddingForward(ids, p.embedding);
    let x = tf.mul(emb.out, mask3);
    const layers: ConvLayerCache[] = [];
    for (let i = 0; i < cfg.encoderConvLayers; i++) {
      const conv = conv1dSameForward(x, p[`encConv${i}W`], null);
      const bn = maskedBatchNormForward(conv.out, mask, p[`encConv${i}Gamma`], p[`encConv${i}Beta`], null);
      updateRunningStatistics(model, i, bn.mean, bn.variance);
      const drop = cfg.encoderDropout > 0 ? dropoutMask([N, L, E], cfg.encoderDropout, rng) : tf.onesLike(conv.out);
      const passMask = tf.mul(tf.mul(tf.cast(tf.greater(bn.out, 0), 'float32'), mask3), drop);
      x = tf.mul(bn.out, passMask);
      layers.push({ conv: conv.cache, bn: bn.cache, passMask });
    }
    const reverseRows = reversalIndex(lengths, L);
    const pair = pairLstmWeights(
      { ...splitLstmWeight(p.encFwdW, H), b: p.encFwdb },
      { ...splitLstmWeight(p.encBwdW, H), b: p.encBwdb },
    );
    const both = tf.concat([x, permuteRows(x, reverseRows)], 2);
    const lstm = lstmForward(both, tf.zeros([N, 2 * H]), pair.Wx, pair.Wh, pair.b);
    const [hFwd, hBwdReversed] = tf.split(lstm.h, 2, 2);
    const out = tf.mul(tf.concat([hFwd, permuteRows(hBwdReversed, reverseRows)], 2), mask3);
    const cache: EncoderCache = {
      embedding: emb.cache,
      mask3,
      layers,
      lstm: lstm.cache,
      reverseRows,
      dims: { N, L, E, H },
    };
    return { out, cache };
  });
}

/** μ ← (1 − 0.1)·μ + 0.1·μ_B, the same for σ² (state, outside the gradient). */
function updateRunningStatistics(model: Tacotron2, layer: number, mean: tf.Tensor, variance: tf.Tensor): void {
  const [runMean, runVar] = [model.bnStats[`bn${layer}Mean`], model.bnStats[`bn${layer}Var`]];
  tf.tidy(() => {
    runMean.assign(tf.add(tf.mul(runMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
    runVar.assign(tf.add(tf.mul(runVar, 1 - BN_MOMENTUM), tf.mul(variance, BN_MOMENTUM)));
  });
}

/** dmemory [N, L, 2·H_enc] → the gradient of every encoder parameter, by name. */
export function tacotronEncoderBackward(dmemory: tf.Tensor, cache: EncoderCache): Record<string, tf.Tensor> {
  checkArgs('tacotronEncoderBackward').require(
    cache?.dims !== undefined && cache.mask3 instanceof tf.Tensor && !cache.mask3.isDisposed,
    "argument 'cache' expected the live cache returned by tacotronEncoderForward",
  );
  const { N, L, E, H } = cache.dims;
  checkArgs('tacotronEncoderBackward').tensor('dmemory', dmemory, [N, L, 2 * H], 'float32');
  return tf.tidy(() => {
    const grads: Record<string, tf.Tensor> = {};
    const [dFwd, dBwd] = tf.split(tf.mul(dmemory, cache.mask3), 2, 2);
    const g = lstmBackward(tf.concat([dFwd, permuteRows(dBwd, cache.reverseRows)], 2), cache.lstm);
    const [f, b] = splitPairGradients(g, E);
    grads.encFwdW = tf.concat([f.dWx, f.dWh], 0);
    grads.encFwdb = f.db;
    grads.encBwdW = tf.concat([b.dWx, b.dWh], 0);
    grads.encBwdb = b.db;
    const [dxFwd, dxBwdReversed] = tf.split(g.dx, 2, 2);
    let dx = tf.add(dxFwd, permuteRows(dxBwdReversed, cache.reverseRows));
    for (let i = cache.layers.length - 1; i >= 0; i--) {
      const layer = cache.layers[i];
      const bn = maskedBatchNormBackward(tf.mul(dx, layer.passMask), layer.bn);
      const conv = conv1dSameBackward(bn.dx, layer.conv);
      grads[`encConv${i}W`] = conv.dW;
      grads[`encConv${i}Gamma`] = bn.dgamma;
      grads[`encConv${i}Beta`] = bn.dbeta;
      dx = conv.dx;
    }
    grads.embedding = wordEmbeddingBackward(tf.mul(dx, cache.mask3), cache.embedding).dW;
    return grads;
  });
}
