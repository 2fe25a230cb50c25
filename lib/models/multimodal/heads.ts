/**
 * The utterance-level heads on the joint encoder output: a masked mean over the real frames,
 * then an affine map — six emotion logits (sigmoid, weighted BCE) or one logit per speaker
 * (softmax cross-entropy).
 *
 *   pooled[n] = Σ_t m[n,t]·x[n,t] / Σ_t m[n,t]        (maskedMeanForward, lib/layers/maskedMean.ts)
 *   logits    = pooled·W + b                          (affineForward / affineBackward)
 */
import * as tf from '@tensorflow/tfjs';
import { affineBackward, affineForward, AffineCache } from '../../layers/affine';
import { maskedMeanBackward, maskedMeanForward, MaskedMeanCache } from '../../layers/maskedMean';
import { sigmoidBinaryCrossEntropy } from '../../losses/sigmoidBinaryCrossEntropy';
import { softmaxCrossEntropy } from '../../losses/softmaxCrossEntropy';
import type { MultimodalParams } from './crossModalEncoder';

export interface MultimodalHeadResult {
  loss: number;
  /** Gradient of the loss with respect to the joint output [N, T, E]. */
  djoint: tf.Tensor3D;
  grads: Record<string, tf.Tensor>;
}

function head(
  p: MultimodalParams,
  name: string,
  joint: tf.Tensor,
  valid: tf.Tensor,
): { logits: tf.Tensor2D; pool: MaskedMeanCache; aff: AffineCache } {
  const pool = maskedMeanForward(joint, valid);
  const aff = affineForward(pool.out, p[`${name}.W`], p[`${name}.b`]);
  pool.out.dispose();
  return { logits: aff.out as tf.Tensor2D, pool: pool.cache, aff: aff.cache };
}

function backHead(
  name: string,
  dlogits: tf.Tensor,
  pool: MaskedMeanCache,
  aff: AffineCache,
): { djoint: tf.Tensor3D; grads: Record<string, tf.Tensor> } {
  const g = affineBackward(dlogits, aff);
  const djoint = maskedMeanBackward(g.dx, pool);
  tf.dispose([g.dx, pool, aff]);
  return { djoint, grads: { [`${name}.W`]: g.dw, [`${name}.b`]: g.db } };
}

/** Emotion logits [N, 6] (no gradient). */
export function emotionLogits(p: MultimodalParams, joint: tf.Tensor, valid: tf.Tensor): tf.Tensor2D {
  const h = head(p, 'emotion', joint, valid);
  tf.dispose([h.pool, h.aff]);
  return h.logits;
}

/** Weighted BCE of the emotion head (posWeight = negatives/positives per emotion) and its gradients. */
export function emotionHeadLoss(
  p: MultimodalParams,
  joint: tf.Tensor,
  valid: tf.Tensor,
  labels: tf.Tensor,
  posWeight: number[],
): MultimodalHeadResult {
  const h = head(p, 'emotion', joint, valid);
  const { loss, dlogits } = sigmoidBinaryCrossEntropy(h.logits, labels, { posWeight });
  h.logits.dispose();
  const { djoint, grads } = backHead('emotion', dlogits, h.pool, h.aff);
  dlogits.dispose();
  return { loss, djoint, grads };
}

/** Speaker logits [N, S] (no gradient). */
export function speakerLogits(p: MultimodalParams, joint: tf.Tensor, valid: tf.Tensor): tf.Tensor2D {
  const h = head(p, 'speaker', joint, valid);
  tf.dispose([h.pool, h.aff]);
  return h.logits;
}

/** Softmax cross-entropy of the speaker head and its gradients. */
export function speakerHeadLoss(
  p: MultimodalParams,
  joint: tf.Tensor,
  valid: tf.Tensor,
  speakers: tf.Tensor,
): MultimodalHeadResult {
  const h = head(p, 'speaker', joint, valid);
  const { loss, dlogits } = softmaxCrossEntropy(h.logits, speakers);
  h.logits.dispose();
  const { djoint, grads } = backHead('speaker', dlogits, h.pool, h.aff);
  dlogits.dispose();
  return { loss, djoint, grads };
}
