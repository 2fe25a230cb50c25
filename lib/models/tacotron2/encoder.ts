/**
 * The Tacotron 2 encoder as tfjs expressions (what synthesis runs, and what the autodiff
 * reference step differentiates; training uses ./encoderBackprop.ts, the same maths with a
 * hand-written backward):
 *
 *   x⁰ = E[ids]                                          [N, L, E]
 *   xⁱ = dropout(ReLU(BN(conv1d(xⁱ⁻¹, Wᵢ))))              i = 1 … 3, 'same' padding, no bias (BN has β)
 *   h = [LSTM→(x³) ; LSTM←(x³)]                          memory [N, L, 2·H_enc]
 *
 * Batch norm normalises each channel over the real (unpadded) positions of the batch while
 * training, BN(x) = γ (x − μ_B)/√(σ²_B + ε) + β, and with the running statistics
 * (μ ← 0.9 μ + 0.1 μ_B, same for σ²) otherwise. Padded positions are zeroed after every layer, and
 * the backward LSTM starts at each utterance's own last character (its state is held at zero
 * over the padding), so padding does not change a real position's output.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { dropoutMask, lstmCell, splitLstmWeight } from './cells';
import type { Tacotron2 } from './config';

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

function encoderLstm(model: Tacotron2, x: tf.Tensor, mask: tf.Tensor, dir: 'Fwd' | 'Bwd'): tf.Tensor {
  const [N, L, D] = x.shape as number[];
  const H = model.config.encoderLstm;
  const { Wx, Wh } = splitLstmWeight(model.params[`enc${dir}W`], H);
  const xW = tf.reshape(tf.matMul(tf.reshape(x, [N * L, D]), Wx), [N, L, 4 * H]);
  const steps = tf.unstack(xW, 1);
  const keep = tf.unstack(tf.expandDims(mask, 2), 1);
  let h = tf.zeros([N, H]);
  let c = tf.zeros([N, H]);
  const out: tf.Tensor[] = new Array(L);
  const order = dir === 'Fwd' ? [...Array(L).keys()] : [...Array(L).keys()].reverse();
  for (const t of order) {
    const next = lstmCell(steps[t], h, c, Wh, model.params[`enc${dir}b`]);
    // Over padding (mask 0) the state stays as it was: zero before a backward pass reaches the text.
    h = tf.add(tf.mul(keep[t], next.h), tf.mul(tf.sub(1, keep[t]), h));
    c = tf.add(tf.mul(keep[t], next.c), tf.mul(tf.sub(1, keep[t]), c));
    out[t] = tf.mul(h, keep[t]);
  }
  return tf.stack(out, 1);
}

/**
 * @param ids [N, L] int32 character ids (0 = padding); @param mask [N, L] float 1 = real character
 * @param opts training: batch statistics, dropout from `rng`, and the running statistics updated
 *   (outside the gradient); otherwise the running statistics and no dropout
 * @returns memory [N, L, 2·H_enc]
 */
export function encoderForward(
  model: Tacotron2,
  ids: tf.Tensor,
  mask: tf.Tensor,
  opts: { training: boolean; rng?: Rng },
): tf.Tensor {
  const cfg = model.config;
  const { N, L } = checkArgs('encoderForward')
    .tensor('ids', ids, ['N', 'L'], 'int32')
    .tensor('mask', mask, ['N', 'L'], 'float32')
    .require(
      !opts.training || cfg.encoderDropout === 0 || opts.rng instanceof Rng,
      "argument 'opts.rng' expected an Rng when training with dropout",
    ).dims as { N: number; L: number };
  const m3 = tf.expandDims(mask, 2);
  const count = Math.max(
    1,
    tf.tidy(() => tf.sum(mask).dataSync()[0]),
  );
  let x = tf.mul(tf.gather(model.params.embedding, ids), m3);
  for (let i = 0; i < cfg.encoderConvLayers; i++) {
    const z = tf.conv1d(x as tf.Tensor3D, model.params[`encConv${i}W`] as tf.Tensor3D, 1, 'same');
    let mean: tf.Tensor, variance: tf.Tensor;
    if (opts.training) {
      mean = tf.div(tf.sum(tf.mul(z, m3), [0, 1]), count);
      variance = tf.div(tf.sum(tf.mul(tf.square(tf.sub(z, mean)), m3), [0, 1]), count);
      const [runMean, runVar] = [model.bnStats[`bn${i}Mean`], model.bnStats[`bn${i}Var`]];
      const [mb, vb] = [mean.dataSync(), variance.dataSync()];
      tf.tidy(() => {
        runMean.assign(tf.add(tf.mul(runMean, 1 - BN_MOMENTUM), tf.mul(tf.tensor1d(mb), BN_MOMENTUM)));
        runVar.assign(tf.add(tf.mul(runVar, 1 - BN_MOMENTUM), tf.mul(tf.tensor1d(vb), BN_MOMENTUM)));
      });
    } else {
      mean = model.bnStats[`bn${i}Mean`];
      variance = model.bnStats[`bn${i}Var`];
    }
    const bn = tf.add(
      tf.mul(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, BN_EPS))), model.params[`encConv${i}Gamma`]),
      model.params[`encConv${i}Beta`],
    );
    x = tf.mul(tf.relu(bn), m3);
    if (opts.training && cfg.encoderDropout > 0)
      x = tf.mul(x, dropoutMask([N, L, cfg.embedDim], cfg.encoderDropout, opts.rng!));
  }
  return tf.concat([encoderLstm(model, x, mask, 'Fwd'), encoderLstm(model, x, mask, 'Bwd')], 2);
}
