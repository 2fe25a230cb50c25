/**
 * Plain float64 reference of the captioning model's loss (no tfjs), built from the recurrent and attention references.
 */
import { F64, f64, matmul, addBroadcast } from '../../coursework/reference/numerics';
import {
  embeddingRef,
  lstmRef,
  rnnRef,
  temporalAffineRef,
  temporalSoftmaxLossRef,
} from '../../coursework/reference/recurrent';
import { attentionLstmRef } from './attention';

export type CellType = 'rnn' | 'lstm' | 'attention';

/**
 * L(features, captions; params) of CaptioningRNN: h₀ = features·W_proj + b_proj (or
 * A = the same affine at each spatial position for 'attention'), embedding of captions[:, :-1],
 * the cell, scores = h·W_vocab + b_vocab, masked softmax loss against captions[:, 1:].
 */
export function captioningLossRef(
  cellType: CellType,
  params: Record<string, F64>,
  features: F64,
  captions: number[][],
  nullIdx = 0,
): number {
  const N = captions.length;
  const T = captions[0].length - 1;
  const captionsIn = captions.map((row) => row.slice(0, T));
  const captionsOut = captions.map((row) => row.slice(1));
  const mask = captionsOut.map((row) => row.map((v) => (v === nullIdx ? 0 : 1)));
  const x = embeddingRef(captionsIn, params.W_embed);
  let h: F64;
  if (cellType === 'attention') {
    const [, D, P] = features.shape;
    const H = params.W_proj.shape[1];
    const S = P * P;
    const A = f64([N, H, P, P]);
    for (let n = 0; n < N; n++)
      for (let j = 0; j < S; j++)
        for (let k = 0; k < H; k++) {
          let s = params.b_proj.data[k];
          for (let d = 0; d < D; d++) s += features.data[(n * D + d) * S + j] * params.W_proj.data[d * H + k];
          A.data[(n * H + k) * S + j] = s;
        }
    h = attentionLstmRef(x, A, params.Wx, params.Wh, params.Wattn, params.b).h;
  } else {
    const h0 = addBroadcast(matmul(features, params.W_proj), params.b_proj);
    h = (cellType === 'rnn' ? rnnRef : lstmRef)(x, h0, params.Wx, params.Wh, params.b);
  }
  const scores = temporalAffineRef(h, params.W_vocab, params.b_vocab);
  return temporalSoftmaxLossRef(scores, captionsOut, mask);
}
