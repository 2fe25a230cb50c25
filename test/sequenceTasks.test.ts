import { describe, expect, it } from 'vitest';
import { tf, Rng, randn, addingProblemBatch, trainAddingProblem, rnnGradientNorms, scaledOrthogonal } from '../lib';

describe('adding problem', () => {
  it('batches have two markers per sequence and the target is their sum', () => {
    const { x, y } = addingProblemBatch(5, 10, new Rng(1));
    const xs = x.arraySync() as number[][][];
    const ys = y.arraySync() as number[][];
    xs.forEach((seq, n) => {
      const marked = seq.filter(([, m]) => m === 1);
      expect(marked).toHaveLength(2);
      expect(marked[0][0] + marked[1][0]).toBeCloseTo(ys[n][0], 5);
    });
    tf.dispose([x, y]);
  });
  it('a training run is deterministic for a seed and leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const a = trainAddingProblem({ cell: 'lstm', T: 6, hidden: 8, steps: 15, batch: 16, lr: 1e-2, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const b = trainAddingProblem({ cell: 'lstm', T: 6, hidden: 8, steps: 15, batch: 16, lr: 1e-2, seed: 3 });
    expect(b.losses).toEqual(a.losses);
    expect(a.losses[14]).toBeLessThan(a.losses[0]);
  });
  it('rejects bad options with a named message', () => {
    const ok = { cell: 'rnn' as const, T: 6, hidden: 8, steps: 2, batch: 4, lr: 1e-2, seed: 0 };
    expect(() => trainAddingProblem({ ...ok, T: 1 })).toThrow("trainAddingProblem: argument 'T' expected an integer >= 2 but got number 1");
    expect(() => trainAddingProblem({ ...ok, lr: 0 })).toThrow("trainAddingProblem: argument 'lr' expected a finite number > 0 but got number 0");
    expect(() => trainAddingProblem({ ...ok, cell: 'gru' as never })).toThrow("trainAddingProblem: argument 'cell' expected 'rnn' or 'lstm' but got gru");
  });
});

describe('gradient flow through an RNN', () => {
  it('decays for spectral radius 0.5 and grows for 1.5 with small inputs', () => {
    const rng = new Rng(0);
    const N = 4, T = 30, D = 3, H = 16;
    const x = tf.mul(randn([N, T, D], rng), 1e-3);
    const h0 = tf.zeros([N, H]), Wx = randn([D, H], rng, 0.1), b = tf.zeros([H]);
    const norms = (radius: number): number[] => {
      const Wh = scaledOrthogonal(H, radius, new Rng(1));
      const out = rnnGradientNorms(x, h0, Wx, Wh, b, new Rng(2));
      Wh.dispose();
      return out;
    };
    const small = norms(0.5), large = norms(1.5);
    expect(small[0] / small[T - 1]).toBeLessThan(1e-6); // ≈ 0.5^29
    expect(large[0] / large[T - 1]).toBeGreaterThan(1e3);
    expect(() => rnnGradientNorms(tf.zeros([2, 3]), h0, Wx, Wx, b, rng)).toThrow(/rnnGradientNorms: argument 'x' expected shape \[N, T, D\]/);
  });
});
