/**
 * Word embedding: forward lookup against a float64 reference; scatter-add backward (repeated words accumulate)
 * against autodiff and float64 numeric gradients.
 */
import { describe, expect, it } from 'vitest';
import { tf, Rng, wordEmbeddingForward, wordEmbeddingBackward, disposeCache } from '../lib';
import { autodiffVjp, expectNoLeak, fromTensor, numericVjp, randF64, relError, toTensor } from './helpers';
import { embeddingRef } from '../coursework/reference/recurrent';

describe('word embedding', () => {
  const cases: { name: string; idx: number[][]; V: number; D: number }[] = [
    {
      name: 'repeated words within and across rows',
      idx: [
        [0, 3, 3, 1],
        [2, 3, 0, 0],
      ],
      V: 5,
      D: 3,
    },
    { name: 'N=1, T=1', idx: [[2]], V: 4, D: 2 },
    {
      name: 'every position the same word',
      idx: [
        [1, 1, 1],
        [1, 1, 1],
      ],
      V: 3,
      D: 4,
    },
  ];
  for (const { name, idx, V, D } of cases) {
    it(`forward and backward: ${name}`, () => {
      const N = idx.length,
        T = idx[0].length;
      const rng = new Rng(N * 10 + T);
      const W = randF64([V, D], rng),
        dout = randF64([N, T, D], rng);
      const x = tf.tensor2d(idx, [N, T], 'int32');
      const { out, cache } = wordEmbeddingForward(x, toTensor(W));
      expect(relError(out, embeddingRef(idx, W))).toBeLessThan(1e-7);
      const { dW } = wordEmbeddingBackward(toTensor(dout), cache);
      expect(
        relError(
          dW,
          numericVjp(() => embeddingRef(idx, W), W, dout),
        ),
      ).toBeLessThan(1e-4);
      const [auto] = autodiffVjp((w) => wordEmbeddingForward(x, w).out, [toTensor(W)], toTensor(dout));
      expect(relError(dW, auto)).toBeLessThan(1e-5);
      // A word that never occurs gets exactly zero gradient.
      const used = new Set(idx.flat());
      const dWv = fromTensor(dW);
      for (let v = 0; v < V; v++)
        if (!used.has(v)) expect(Array.from(dWv.data.slice(v * D, (v + 1) * D))).toEqual(Array(D).fill(0));
      tf.dispose([x, out, dW, auto]);
      disposeCache(cache);
    });
  }

  it('rejects wrong shapes and dtypes, naming function, argument and shapes', () => {
    const W = tf.zeros([5, 3]);
    expect(() => wordEmbeddingForward(tf.zeros([2, 4]), W)).toThrow(
      "wordEmbeddingForward: argument 'x' expected dtype int32 but got float32",
    );
    expect(() => wordEmbeddingForward(tf.zeros([2], 'int32'), W)).toThrow(
      "wordEmbeddingForward: argument 'x' expected shape [N, T] but got [2]",
    );
    expect(() => wordEmbeddingForward(tf.zeros([2, 4], 'int32'), tf.zeros([5]))).toThrow(
      "wordEmbeddingForward: argument 'W' expected shape [V, D] but got [5]",
    );
    const { out, cache } = wordEmbeddingForward(tf.zeros([2, 4], 'int32'), W);
    expect(() => wordEmbeddingBackward(tf.zeros([2, 3, 3]), cache)).toThrow(
      "wordEmbeddingBackward: argument 'dout' expected shape [N=2, T=4, D] but got [2, 3, 3]",
    );
    tf.dispose([W, out, cache]);
  });

  it('forward + backward leave only the returned tensors', () => {
    const x = tf.tensor2d(
        [
          [0, 1],
          [1, 2],
        ],
        [2, 2],
        'int32',
      ),
      W = tf.ones([3, 4]),
      dout = tf.ones([2, 2, 4]);
    expectNoLeak(() => {
      const { out, cache } = wordEmbeddingForward(x, W);
      const g = wordEmbeddingBackward(dout, cache);
      disposeCache(cache);
      return [out, g];
    });
    tf.dispose([x, W, dout]);
  });
});
