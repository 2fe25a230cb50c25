/**
 * Two independent LSTMs run as one (a speed helper for the encoder's BiLSTM): each step of the
 * pair costs the kernels of one step, which is what a step costs on wasm at these sizes. The
 * wide LSTM has width 2H, input [x_a, x_b] and block-diagonal weights whose gate columns are
 * interleaved, so that every gate of the wide LSTM is [that gate of a | that gate of b]:
 *
 *   Wx = ⎡Wx_a → a's columns   0⎤   Wh = ⎡Wh_a → a's columns   0⎤   a's columns of gate g: [2gH, 2gH + H)
 *        ⎣0   Wx_b → b's columns⎦        ⎣0   Wh_b → b's columns⎦   b's columns of gate g: [2gH + H, 2gH + 2H)
 *
 * The LSTM's gate maths is elementwise, so h = [h_a, h_b] and c = [c_a, c_b] stay apart; the
 * gradients of the zero blocks are dropped when the pair's gradients are split back.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';

export type LstmWeights = { Wx: tf.Tensor; Wh: tf.Tensor; b: tf.Tensor };

/** [R, 4H] (gates i, f, o, g of one LSTM) → [R, 8H] with the columns at `side`'s places and zeros at the other's. */
function spread(W: tf.Tensor, H: number, side: 0 | 1): tf.Tensor {
  const R = W.shape[0] as number;
  const own = tf.reshape(W, [R, 4, 1, H]);
  const zeros = tf.zerosLike(own);
  return tf.reshape(tf.concat(side === 0 ? [own, zeros] : [zeros, own], 2), [R, 8 * H]);
}

/** The columns of `side` of a pair's [R, 8H] → [R, 4H]. */
function gather(W: tf.Tensor, H: number, side: 0 | 1): tf.Tensor {
  const R = W.shape[0] as number;
  return tf.reshape(tf.slice(tf.reshape(W, [R, 4, 2, H]), [0, 0, side, 0], [R, 4, 1, H]), [R, 4 * H]);
}

/** The wide LSTM's weights: Wx [Da + Db, 8H], Wh [2H, 8H], b [8H]. */
export function pairLstmWeights(a: LstmWeights, b: LstmWeights): LstmWeights {
  const { H } = checkArgs('pairLstmWeights')
    .tensor('a.Wx', a?.Wx, ['Da', 'G'], 'float32')
    .tensor('a.Wh', a.Wh, ['H', 'G'], 'float32')
    .tensor('a.b', a.b, ['G'], 'float32')
    .tensor('b.Wx', b?.Wx, ['Db', 'G'], 'float32')
    .tensor('b.Wh', b.Wh, ['H', 'G'], 'float32')
    .tensor('b.b', b.b, ['G'], 'float32').dims;
  return tf.tidy(() => ({
    Wx: tf.concat([spread(a.Wx, H, 0), spread(b.Wx, H, 1)], 0),
    Wh: tf.concat([spread(a.Wh, H, 0), spread(b.Wh, H, 1)], 0),
    b: tf.reshape(tf.add(spread(tf.reshape(a.b, [1, 4 * H]), H, 0), spread(tf.reshape(b.b, [1, 4 * H]), H, 1)), [
      8 * H,
    ]),
  }));
}

/** The wide LSTM's weight gradients (dWx [Da + Db, 8H], dWh [2H, 8H], db [8H]) split into a's and b's. */
export function splitPairGradients(
  g: { dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor },
  Da: number,
): [{ dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor }, { dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor }] {
  const { H2 } = checkArgs('splitPairGradients')
    .tensor('g.dWh', g?.dWh, ['H2', 'G'], 'float32')
    .tensor('g.dWx', g.dWx, ['D', 'G'], 'float32')
    .tensor('g.db', g.db, ['G'], 'float32')
    .number('Da', Da, { integer: true, min: 1 }).dims;
  const H = H2 / 2;
  return tf.tidy(() => {
    const [dWxA, dWxB] = tf.split(g.dWx, [Da, (g.dWx.shape[0] as number) - Da], 0);
    const [dWhA, dWhB] = tf.split(g.dWh, [H, H], 0);
    const db = tf.reshape(g.db, [1, 8 * H]);
    const side = (s: 0 | 1, dWx: tf.Tensor, dWh: tf.Tensor) => ({
      dWx: gather(dWx, H, s),
      dWh: gather(dWh, H, s),
      db: tf.reshape(gather(db, H, s), [4 * H]),
    });
    return [side(0, dWxA, dWhA), side(1, dWxB, dWhB)];
  });
}
