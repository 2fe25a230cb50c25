import { describe, expect, it } from 'vitest';
import { tf, Rng, ShapeError, conv2dForward, conv2dBackward, im2col, col2im, reluForward, reluBackward } from '../lib';
import { randF64, toTensor, fromTensor, relError, numericVjp, autodiffVjp, expectNoLeak } from './helpers';
import { conv2dRef, reluRef } from './ref/conv';

type Case = { x: [number, number, number, number]; w: [number, number, number, number]; stride: number; pad: number };
const cases: Case[] = [
  { x: [2, 5, 5, 3], w: [3, 3, 3, 4], stride: 1, pad: 1 },
  { x: [2, 7, 6, 2], w: [3, 2, 2, 3], stride: 2, pad: 0 },
  { x: [1, 8, 7, 2], w: [4, 4, 2, 2], stride: 3, pad: 1 }, // the last rows/columns fit no window
  { x: [3, 4, 4, 1], w: [1, 1, 1, 5], stride: 1, pad: 0 },
  { x: [2, 6, 6, 3], w: [5, 5, 3, 2], stride: 1, pad: 2 },
];

/** tf.conv2d with the same zero padding (runs the registered Conv2DBackpropFilter in its gradient). */
const tfConv = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, stride: number, pad: number): tf.Tensor =>
  tf.add(
    tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, [
      [0, 0],
      [pad, pad],
      [pad, pad],
      [0, 0],
    ]),
    b,
  );

describe('conv2dForward / conv2dBackward', () => {
  for (const c of cases)
    it(
      `matches the float64 reference, tf.conv2d, autodiff and numeric ` +
        `gradients (x [${c.x}], w [${c.w}], stride ${c.stride}, pad ${c.pad})`,
      () => {
        const rng = new Rng(c.x.concat(c.w).reduce((a, b) => a * 7 + b, c.stride));
        const xF = randF64(c.x, rng),
          wF = randF64(c.w, rng, 0.5),
          bF = randF64([c.w[3]], rng);
        const [x, w, b] = [xF, wF, bF].map((a) => toTensor(a));
        const { out, cache } = conv2dForward(x, w, b, { stride: c.stride, pad: c.pad });
        const ref = conv2dRef(xF, wF, bF, c.stride, c.pad);
        expect(out.shape).toEqual(ref.shape);
        expect(relError(out, ref)).toBeLessThan(1e-5);
        const viaTf = tfConv(x, w, b, c.stride, c.pad);
        expect(relError(out, viaTf)).toBeLessThan(1e-5);

        const doutF = randF64(ref.shape, rng);
        const dout = toTensor(doutF);
        const { dx, dw, db } = conv2dBackward(dout, cache);
        const mine = [dx, dw, db];
        const autodiff = autodiffVjp(
          (a, f, g) => conv2dForward(a, f, g, { stride: c.stride, pad: c.pad }).out,
          [x, w, b],
          dout,
        );
        const tfGrads = autodiffVjp((a, f, g) => tfConv(a, f, g, c.stride, c.pad), [x, w, b], dout);
        const f = () => conv2dRef(xF, wF, bF, c.stride, c.pad);
        ['dx', 'dw', 'db'].forEach((name, i) => {
          expect(mine[i].shape, name).toEqual([xF, wF, bF][i].shape);
          expect(relError(mine[i], autodiff[i]), `${name} vs autodiff of conv2dForward`).toBeLessThan(1e-5);
          expect(relError(mine[i], tfGrads[i]), `${name} vs autodiff of tf.conv2d`).toBeLessThan(1e-5);
          expect(relError(mine[i], numericVjp(f, [xF, wF, bF][i], doutF)), `${name} vs numeric`).toBeLessThan(1e-4);
        });
        tf.dispose([x, w, b, out, cache, viaTf, dout, mine, autodiff, tfGrads]);
      },
    );

  it('agrees with the cpu backend’s tf.conv2d gradients', async () => {
    const c = cases[1];
    const rng = new Rng(31);
    const inputs = [randF64(c.x, rng), randF64(c.w, rng), randF64([c.w[3]], rng)];
    const doutShape = conv2dRef(inputs[0], inputs[1], inputs[2], c.stride, c.pad).shape;
    const doutF = randF64(doutShape, rng);
    const tensors = [...inputs, doutF].map((a) => toTensor(a));
    const { out, cache } = conv2dForward(tensors[0], tensors[1], tensors[2], c);
    const grads = conv2dBackward(tensors[3], cache);
    const mine = [grads.dx, grads.dw, grads.db].map(fromTensor);
    tf.dispose([tensors, out, cache, grads]);
    const previous = tf.getBackend();
    await tf.setBackend('cpu');
    try {
      const cpuTensors = [...inputs, doutF].map((a) => toTensor(a));
      const cpu = autodiffVjp((a, f, g) => tfConv(a, f, g, c.stride, c.pad), cpuTensors.slice(0, 3), cpuTensors[3]);
      cpu.forEach((g, i) => expect(relError(mine[i], fromTensor(g)), `d${['x', 'w', 'b'][i]}`).toBeLessThan(1e-5));
      tf.dispose([cpuTensors, cpu]);
    } finally {
      await tf.setBackend(previous);
    }
  });

  it('col2im is the adjoint of im2col: ⟨im2col(x), P⟩ = ⟨x, col2im(P)⟩', () => {
    for (const [kh, kw, s] of [
      [3, 3, 1],
      [2, 3, 2],
      [3, 2, 3],
    ]) {
      const rng = new Rng(kh * 100 + kw * 10 + s);
      const x = toTensor(randF64([2, 8, 7, 3], rng));
      const patches = im2col(x, kh, kw, s);
      const P = toTensor(randF64(patches.shape, rng));
      const back = col2im(P, { height: 8, width: 7, kh, kw, stride: s });
      const lhs = tf.sum(tf.mul(patches, P)).dataSync()[0];
      const rhs = tf.sum(tf.mul(x, back)).dataSync()[0];
      expect(Math.abs(lhs - rhs) / Math.abs(lhs), `kh=${kh} kw=${kw} stride=${s}`).toBeLessThan(1e-5);
      tf.dispose([x, patches, P, back]);
    }
  });

  it('leaks no tensors and names bad shapes and options', () => {
    const rng = new Rng(5);
    const x = toTensor(randF64([2, 5, 5, 3], rng)),
      w = toTensor(randF64([3, 3, 3, 4], rng)),
      b = tf.zeros([4]);
    const dout = tf.ones([2, 3, 3, 4]);
    expectNoLeak(() => {
      const f = conv2dForward(x, w, b, { stride: 2, pad: 1 });
      const grads = conv2dBackward(dout, f.cache);
      tf.dispose(f.cache);
      return { out: f.out, grads };
    }, 'conv2d forward+backward');
    const w2 = tf.zeros([3, 3, 2, 4]);
    expect(() => conv2dForward(x, w2, b)).toThrow(ShapeError);
    expect(() => conv2dForward(x, w2, b)).toThrow(
      "conv2dForward: argument 'w' expected shape [KH, KW, C=3, F] but got [3, 3, 2, 4]",
    );
    expect(() => conv2dForward(x, w, tf.zeros([5]))).toThrow(
      "conv2dForward: argument 'b' expected shape [F=4] but got [5]",
    );
    expect(() => conv2dForward(x, w, b, { stride: 0 })).toThrow(
      /conv2dForward: argument 'stride' expected an integer >= 1/,
    );
    expect(() => conv2dForward(x, toTensor(randF64([7, 7, 3, 4], rng)), b)).toThrow(
      /conv2dForward: a 7×7 filter does not fit/,
    );
    const { out, cache } = conv2dForward(x, w, b, { pad: 1 });
    expect(() => conv2dBackward(tf.zeros([2, 4, 4, 4]), cache)).toThrow(
      "conv2dBackward: argument 'dout' expected shape [2, 5, 5, 4] but got [2, 4, 4, 4]",
    );
    tf.dispose([x, w, b, dout, w2, out, cache]);
  });
});

describe('reluForward / reluBackward', () => {
  it('matches the reference, autodiff and numeric gradients, with subgradient 0 at x = 0', () => {
    const rng = new Rng(8);
    const xF = randF64([3, 4, 5], rng);
    xF.data[0] = 0;
    const doutF = randF64([3, 4, 5], rng);
    const [x, dout] = [xF, doutF].map((a) => toTensor(a));
    const { out, cache } = reluForward(x);
    expect(relError(out, reluRef(xF))).toBeLessThan(1e-7);
    const { dx } = reluBackward(dout, cache);
    expect(dx.dataSync()[0]).toBe(0);
    const [auto] = autodiffVjp((a) => tf.relu(a), [x], dout);
    expect(relError(dx, auto)).toBeLessThan(1e-7);
    // Numeric check away from the kink (x = 0 has no derivative).
    xF.data[0] = 0.5;
    const x2 = toTensor(xF);
    const f2 = reluForward(x2);
    const g2 = reluBackward(dout, f2.cache);
    expect(
      relError(
        g2.dx,
        numericVjp(() => reluRef(xF), xF, doutF),
      ),
    ).toBeLessThan(1e-6);
    tf.dispose([x, dout, out, cache, dx, auto, x2, f2, g2]);
  });

  it('leaks no tensors and names bad shapes', () => {
    const x = tf.tensor2d([
      [1, -2],
      [0, 3],
    ]);
    expectNoLeak(() => {
      const f = reluForward(x);
      const g = reluBackward(f.out, f.cache);
      tf.dispose(f.cache);
      return { out: f.out, g };
    }, 'relu forward+backward');
    const { out, cache } = reluForward(x);
    expect(() => reluBackward(tf.zeros([2, 3]), cache)).toThrow(
      "reluBackward: argument 'dout' expected shape [2, 2] but got [2, 3]",
    );
    expect(() => reluForward(tf.tensor1d([1, 2], 'int32'))).toThrow(ShapeError);
    tf.dispose([x, out, cache]);
  });
});
