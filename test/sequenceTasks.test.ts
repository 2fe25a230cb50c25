import { describe, expect, it } from 'vitest';
import { tf, Rng, randn, lstmForward, affineForward, rnnGradientNorms, scaledOrthogonal } from '../lib';
import {
  addingProblemBatch,
  trainAddingProblem,
  initAddingProblemParams,
} from '../lib/models/sequenceTasks/addingProblem';

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
  it('training starts from initAddingProblemParams (its first loss is that of the initial weights)', () => {
    const [T, H, N] = [6, 8, 16];
    const rng = new Rng(3);
    const p = initAddingProblemParams('lstm', H, rng);
    expect([p.Wx.shape, p.Wh.shape, p.b.shape, p.w.shape, p.bo.shape]).toEqual([[2, 32], [8, 32], [32], [8, 1], [1]]);
    expect(Array.from(p.b.dataSync())).toEqual([...Array(8).fill(0), ...Array(8).fill(1), ...Array(16).fill(0)]);
    expect(initAddingProblemParams('rnn', H, new Rng(0)).Wx.shape).toEqual([2, 8]);
    const { x, y } = addingProblemBatch(N, T, rng); // the loop's first batch comes next from the same rng
    const first = tf.tidy(() => {
      const { h } = lstmForward(x, tf.zeros([N, H]), p.Wx, p.Wh, p.b);
      const last = tf.squeeze(tf.slice(h, [0, T - 1, 0], [-1, 1, -1]), [1]);
      return tf.mean(tf.square(tf.sub(affineForward(last, p.w, p.bo).out, y))).dataSync()[0];
    });
    const run = trainAddingProblem({ cell: 'lstm', T, hidden: H, steps: 1, batch: N, lr: 1e-2, seed: 3 });
    expect(run.losses[0]).toBeCloseTo(first, 6);
    expect(() => initAddingProblemParams('gru' as never, 4, rng)).toThrow(
      "initAddingProblemParams: argument 'cell' expected 'rnn' or 'lstm' but got gru",
    );
    tf.dispose([x, y, Object.values(p)]);
  });
  it('rejects bad options with a named message', () => {
    const ok = { cell: 'rnn' as const, T: 6, hidden: 8, steps: 2, batch: 4, lr: 1e-2, seed: 0 };
    expect(() => trainAddingProblem({ ...ok, T: 1 })).toThrow(
      "trainAddingProblem: argument 'T' expected an integer >= 2 but got number 1",
    );
    expect(() => trainAddingProblem({ ...ok, lr: 0 })).toThrow(
      "trainAddingProblem: argument 'lr' expected a finite number > 0 but got number 0",
    );
    expect(() => trainAddingProblem({ ...ok, cell: 'gru' as never })).toThrow(
      "trainAddingProblem: argument 'cell' expected 'rnn' or 'lstm' but got gru",
    );
  });
});

describe('gradient flow through an RNN', () => {
  it('decays for spectral radius 0.5 and grows for 1.5 with small inputs', () => {
    const rng = new Rng(0);
    const N = 4,
      T = 30,
      D = 3,
      H = 16;
    const x = tf.mul(randn([N, T, D], rng), 1e-3);
    const h0 = tf.zeros([N, H]),
      Wx = randn([D, H], rng, 0.1),
      b = tf.zeros([H]);
    const norms = (radius: number): number[] => {
      const Wh = scaledOrthogonal(H, radius, new Rng(1));
      const out = rnnGradientNorms(x, h0, Wx, Wh, b, new Rng(2));
      Wh.dispose();
      return out;
    };
    const small = norms(0.5),
      large = norms(1.5);
    expect(small[0] / small[T - 1]).toBeLessThan(1e-6); // ≈ 0.5^29
    expect(large[0] / large[T - 1]).toBeGreaterThan(1e3);
    expect(() => rnnGradientNorms(tf.zeros([2, 3]), h0, Wx, Wx, b, rng)).toThrow(
      /rnnGradientNorms: argument 'x' expected shape \[N, T, D\]/,
    );
  });
});
