/** A backward given the wrong layer's cache, or a disposed one, fails with a named ShapeError. */
import { describe, expect, it } from 'vitest';
import { tf, rnnForward, rnnBackward, lstmForward, lstmBackward, temporalAffineBackward, checkArgs, ShapeError } from '../lib';

describe('backward cache checks', () => {
  const x = tf.randomNormal([2, 3, 4]), h0 = tf.zeros([2, 5]);
  const rnn = rnnForward(x, h0, tf.randomNormal([4, 5]), tf.randomNormal([5, 5]), tf.zeros([5]));
  const lstm = lstmForward(x, h0, tf.randomNormal([4, 20]), tf.randomNormal([5, 20]), tf.zeros([20]));
  it('reject the cache of another layer', () => {
    expect(() => rnnBackward(rnn.h, lstm.cache as never)).toThrow(/^rnnBackward: argument 'cache' expected the cache returned by rnnForward/);
    expect(() => lstmBackward(lstm.h, rnn.cache as never)).toThrow(/^lstmBackward: argument 'cache.hPrevRows' expected a tensor/);
    expect(() => temporalAffineBackward(tf.zeros([2, 3, 5]), rnn.cache as never)).toThrow(ShapeError);
  });
  it('reject a disposed cache', () => {
    const again = rnnForward(x, h0, tf.randomNormal([4, 5]), tf.randomNormal([5, 5]), tf.zeros([5]));
    tf.dispose(again.cache);
    expect(() => rnnBackward(again.h, again.cache)).toThrow("rnnBackward: argument 'cache.xRows' is a disposed tensor");
  });
  it('a shape spec with an undefined dimension matches nothing', () => {
    expect(() => checkArgs('f').tensor('t', tf.zeros([2]), [undefined as never])).toThrow(/f: argument 't' cannot be checked: dimension 0/);
  });
});
