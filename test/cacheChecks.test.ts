/** A backward given the wrong layer's cache, or a disposed one, fails with a named ShapeError. */
import { describe, expect, it } from 'vitest';
import {
  tf,
  rnnForward,
  rnnBackward,
  lstmForward,
  lstmBackward,
  temporalAffineBackward,
  checkArgs,
  ShapeError,
  scaledDotProductAttention,
  scaledDotProductAttentionBackward,
  dotProductAttention,
  dotProductAttentionBackward,
  attentionLstmForward,
  attentionLstmBackward,
  attentionLstmStepForward,
  attentionLstmStepBackward,
  multiHeadAttentionForward,
  multiHeadAttentionBackward,
  initMultiHeadAttentionParams,
  Rng,
  disposeCache,
} from '../lib';

describe('backward cache checks', () => {
  const x = tf.randomNormal([2, 3, 4]),
    h0 = tf.zeros([2, 5]);
  const rnn = rnnForward(x, h0, tf.randomNormal([4, 5]), tf.randomNormal([5, 5]), tf.zeros([5]));
  const lstm = lstmForward(x, h0, tf.randomNormal([4, 20]), tf.randomNormal([5, 20]), tf.zeros([20]));
  it('reject the cache of another layer', () => {
    expect(() => rnnBackward(rnn.h, lstm.cache as never)).toThrow(
      /^rnnBackward: argument 'cache' expected the cache returned by rnnForward/,
    );
    expect(() => lstmBackward(lstm.h, rnn.cache as never)).toThrow(
      /^lstmBackward: argument 'cache.hPrevRows' expected a tensor/,
    );
    expect(() => temporalAffineBackward(tf.zeros([2, 3, 5]), rnn.cache as never)).toThrow(ShapeError);
  });
  it('reject a disposed cache', () => {
    const again = rnnForward(x, h0, tf.randomNormal([4, 5]), tf.randomNormal([5, 5]), tf.zeros([5]));
    tf.dispose(again.cache);
    expect(() => rnnBackward(again.h, again.cache)).toThrow("rnnBackward: argument 'cache.xRows' is a disposed tensor");
  });
  it('a shape spec with an undefined dimension matches nothing', () => {
    expect(() => checkArgs('f').tensor('t', tf.zeros([2]), [undefined as never])).toThrow(
      /f: argument 't' cannot be checked: dimension 0/,
    );
  });

  describe('attention, attention LSTM and multi-head attention backwards', () => {
    const N = 2,
      H = 5,
      P = 2,
      T = 3,
      D = 4;
    const Q = tf.randomNormal([N, 3, 4]),
      K = tf.randomNormal([N, 6, 4]),
      V = tf.randomNormal([N, 6, 2]);
    const A = tf.randomNormal([N, H, P, P]);
    const W = () => tf.randomNormal([H, 4 * H]);
    const run = () => ({
      sdpa: scaledDotProductAttention(Q, K, V),
      spatial: dotProductAttention(tf.randomNormal([N, H]), A),
      attLstm: attentionLstmForward(
        tf.randomNormal([N, T, D]),
        A,
        tf.randomNormal([D, 4 * H]),
        W(),
        W(),
        tf.zeros([4 * H]),
      ),
      attStep: attentionLstmStepForward(
        tf.randomNormal([N, D]),
        tf.zeros([N, H]),
        tf.zeros([N, H]),
        tf.randomNormal([N, H]),
        tf.randomNormal([D, 4 * H]),
        W(),
        W(),
        tf.zeros([4 * H]),
      ),
      mha: multiHeadAttentionForward(Q, Q, Q, initMultiHeadAttentionParams(4, new Rng(0)), { heads: 2 }),
    });
    const backwards = (r: ReturnType<typeof run>) => ({
      sdpa: (cache: unknown) => scaledDotProductAttentionBackward(r.sdpa.out, cache as never),
      spatial: (cache: unknown) => dotProductAttentionBackward(r.spatial.attn, cache as never),
      attLstm: (cache: unknown) => attentionLstmBackward(r.attLstm.h, cache as never),
      attStep: (cache: unknown) => attentionLstmStepBackward(r.attStep.nextH, r.attStep.nextC, cache as never),
      mha: (cache: unknown) => multiHeadAttentionBackward(r.mha.out, cache as never),
    });
    const names = {
      sdpa: 'scaledDotProductAttention',
      spatial: 'dotProductAttention',
      attLstm: 'attentionLstm',
      attStep: 'attentionLstmStep',
      mha: 'multiHeadAttention',
    };
    it('reject the cache of another layer, naming the forward it expected', () => {
      const r = run();
      const b = backwards(r);
      const forwardOf = {
        sdpa: 'scaledDotProductAttention',
        spatial: 'dotProductAttention',
        attLstm: 'attentionLstmForward',
        attStep: 'attentionLstmStepForward',
        mha: 'multiHeadAttentionForward',
      };
      for (const key of Object.keys(b) as (keyof typeof b)[]) {
        const other = key === 'sdpa' ? rnn.cache : r.sdpa.cache;
        expect(() => b[key](other), key).toThrow(ShapeError);
        expect(() => b[key](other), key).toThrow(
          new RegExp(`^${names[key]}Backward: argument 'cache' expected the cache returned by ${forwardOf[key]}`),
        );
        expect(() => b[key](undefined), key).toThrow(ShapeError);
      }
    });
    it('reject a disposed cache', () => {
      const r = run();
      const b = backwards(r);
      const caches = {
        sdpa: r.sdpa.cache,
        spatial: r.spatial.cache,
        attLstm: r.attLstm.cache,
        attStep: r.attStep.cache,
        mha: r.mha.cache,
      };
      for (const key of Object.keys(b) as (keyof typeof b)[]) {
        disposeCache(caches[key] as unknown as tf.TensorContainer);
        expect(() => b[key](caches[key]), key).toThrow(/is a disposed tensor$/);
      }
    });
  });
});
