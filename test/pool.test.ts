import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  ShapeError,
  maxPoolForward,
  maxPoolBackward,
  conv2dForward,
  conv2dBackward,
  reluForward,
  reluBackward,
} from '../lib';
import { randF64, toTensor, relError, numericVjp, autodiffVjp, expectNoLeak } from './helpers';
import { maxPoolRef } from './ref/conv';

type Case = { x: [number, number, number, number]; poolHeight: number; poolWidth: number; stride: number };
const cases: Case[] = [
  { x: [2, 4, 4, 3], poolHeight: 2, poolWidth: 2, stride: 2 },
  { x: [2, 7, 7, 2], poolHeight: 3, poolWidth: 3, stride: 2 }, // overlapping windows
  { x: [1, 6, 5, 2], poolHeight: 2, poolWidth: 3, stride: 1 },
  { x: [3, 5, 5, 1], poolHeight: 2, poolWidth: 2, stride: 2 }, // last row/column in no window
];

describe('maxPoolForward / maxPoolBackward', () => {
  for (const c of cases)
    it(
      `matches the float64 reference, tf.maxPool, and autodiff/numeric ` +
        `gradients (x [${c.x}], ${c.poolHeight}×${c.poolWidth}, stride ${c.stride})`,
      () => {
        const rng = new Rng(c.x.reduce((a, b) => a * 5 + b, c.poolHeight * 10 + c.stride));
        const xF = randF64(c.x, rng); // continuous draws: no ties, so every gradient is unambiguous
        const x = toTensor(xF);
        const { out, cache } = maxPoolForward(x, c);
        const ref = maxPoolRef(xF, c.poolHeight, c.poolWidth, c.stride);
        expect(out.shape).toEqual(ref.shape);
        expect(relError(out, ref)).toBeLessThan(1e-7);
        const viaTf = tf.maxPool(x as tf.Tensor4D, [c.poolHeight, c.poolWidth], c.stride, 'valid');
        expect(relError(out, viaTf)).toBeLessThan(1e-7);

        const doutF = randF64(ref.shape, rng);
        const dout = toTensor(doutF);
        const { dx } = maxPoolBackward(dout, cache);
        expect(dx.shape).toEqual(c.x);
        const [auto] = autodiffVjp((a) => maxPoolForward(a, c).out, [x], dout);
        const [tfGrad] = autodiffVjp(
          (a) => tf.maxPool(a as tf.Tensor4D, [c.poolHeight, c.poolWidth], c.stride, 'valid'),
          [x],
          dout,
        );
        expect(relError(dx, auto), 'vs autodiff of maxPoolForward').toBeLessThan(1e-6);
        expect(relError(dx, tfGrad), 'vs autodiff of tf.maxPool').toBeLessThan(1e-6);
        expect(
          relError(
            dx,
            numericVjp(() => maxPoolRef(xF, c.poolHeight, c.poolWidth, c.stride), xF, doutF),
          ),
          'vs numeric',
        ).toBeLessThan(1e-4);
        tf.dispose([x, out, cache, viaTf, dout, dx, auto, tfGrad]);
      },
    );

  it('sends a tied window’s whole gradient to its first maximal element (row-major)', () => {
    // One 2×2 window per channel: channel 0 all equal, channel 1 tie between (0,1) and (1,0).
    const x = tf.tensor4d([
      [
        [
          [1, 0],
          [1, 5],
        ],
        [
          [1, 5],
          [1, 2],
        ],
      ],
    ]); // [1, 2, 2, 2]
    const { out, cache } = maxPoolForward(x, { poolHeight: 2, poolWidth: 2, stride: 2 });
    expect(Array.from(out.dataSync())).toEqual([1, 5]);
    const { dx } = maxPoolBackward(tf.tensor4d([[[[3, 7]]]]), cache);
    expect(dx.arraySync()).toEqual([
      [
        [
          [3, 0],
          [0, 7],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ],
    ]);
    tf.dispose([x, out, cache, dx]);
  });

  it('overlapping windows add their gradients at a shared maximum', () => {
    // 1×3 input, 1×2 windows with stride 1: the middle element is the max of both windows.
    const x = tf.tensor4d([[[[0], [9], [1]]]]);
    const { out, cache } = maxPoolForward(x, { poolHeight: 1, poolWidth: 2, stride: 1 });
    const { dx } = maxPoolBackward(tf.tensor4d([[[[2], [3]]]]), cache);
    expect(Array.from(dx.dataSync())).toEqual([0, 5, 0]);
    tf.dispose([x, out, cache, dx]);
  });

  it('conv → relu → max-pool, chained by hand, matches autodiff through tf.conv2d / tf.relu / tf.maxPool', () => {
    const rng = new Rng(77);
    const [x, w, b] = [randF64([2, 8, 8, 3], rng), randF64([3, 3, 3, 4], rng, 0.5), randF64([4], rng)].map((a) =>
      toTensor(a),
    );
    const conv = conv2dForward(x, w, b, { pad: 1 });
    const relu = reluForward(conv.out);
    const pool = maxPoolForward(relu.out, { poolHeight: 2, poolWidth: 2, stride: 2 });
    const dout = toTensor(randF64(pool.out.shape, rng));
    const dpool = maxPoolBackward(dout, pool.cache);
    const drelu = reluBackward(dpool.dx, relu.cache);
    const dconv = conv2dBackward(drelu.dx, conv.cache);
    const auto = autodiffVjp(
      (a, f, g) =>
        tf.maxPool(
          tf.relu(tf.add(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), g)) as tf.Tensor4D,
          2,
          2,
          'valid',
        ),
      [x, w, b],
      dout,
    );
    [dconv.dx, dconv.dw, dconv.db].forEach((g, i) =>
      expect(relError(g, auto[i]), ['dx', 'dw', 'db'][i]).toBeLessThan(1e-5),
    );
    tf.dispose([x, w, b, conv, relu, pool, dout, dpool, drelu, dconv, auto]);
  });

  it('leaks no tensors and names bad shapes and options', () => {
    const x = toTensor(randF64([2, 4, 4, 3], new Rng(1)));
    const dout = tf.ones([2, 2, 2, 3]);
    const opts = { poolHeight: 2, poolWidth: 2, stride: 2 };
    expectNoLeak(() => {
      const f = maxPoolForward(x, opts);
      const g = maxPoolBackward(dout, f.cache);
      tf.dispose(f.cache);
      return { out: f.out, g };
    }, 'maxPool forward+backward');
    expect(() => maxPoolForward(tf.zeros([4, 4, 3]), opts)).toThrow(ShapeError);
    expect(() => maxPoolForward(tf.zeros([4, 4, 3]), opts)).toThrow(
      "maxPoolForward: argument 'x' expected shape [N, H, W, C] but got [4, 4, 3]",
    );
    expect(() => maxPoolForward(x, { ...opts, stride: 1.5 })).toThrow(
      /maxPoolForward: argument 'stride' expected an integer/,
    );
    expect(() => maxPoolForward(x, { ...opts, poolHeight: 5 })).toThrow(
      'maxPoolForward: a 5×2 window does not fit in a 4×4 input',
    );
    const { out, cache } = maxPoolForward(x, opts);
    expect(() => maxPoolBackward(tf.zeros([2, 3, 3, 3]), cache)).toThrow(
      "maxPoolBackward: argument 'dout' expected shape [2, 2, 2, 3] but got [2, 3, 3, 3]",
    );
    tf.dispose([x, dout, out, cache]);
  });
});
