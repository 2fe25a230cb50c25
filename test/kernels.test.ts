// The wasm patches installed by initBackend: the Conv2DBackpropFilter kernel (checked against
// the cpu backend's own kernel and cpu autodiff), the replacement MaxPoolGrad kernel (against
// the cpu backend) and the explicit-transpose matmul gradient
// (checked against tfjs's default gradient).
//
// These tests force the wasm backend themselves (and install its patches as initBackend does),
// so they run — and can fail — also where tfjs-node is installed and initBackend picks it.
import '@tensorflow/tfjs-backend-wasm';
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { tf, Rng, randn } from '../lib';
import { conv2dFilterGradient } from '../lib/kernels/conv2dBackpropFilter';
import {
  useFastMatMulGradient,
  useDefaultMatMulGradient,
  isFastMatMulGradient,
} from '../lib/kernels/fastMatMulGradient';
import { maxPoolInputGradient } from '../lib/kernels/maxPoolGrad';
import { installWasmPatches } from '../lib/kernels/wasmPatches';
import { expectNoLeak, relError } from './helpers';

let suiteBackend = '';
beforeAll(async () => {
  suiteBackend = tf.getBackend();
  if (!(await tf.setBackend('wasm')))
    throw new Error("kernels.test: tf.setBackend('wasm') failed: these tests need the wasm backend");
  await tf.ready();
  installWasmPatches();
});
afterAll(async () => {
  await tf.setBackend(suiteBackend);
  if (suiteBackend !== 'wasm') useDefaultMatMulGradient();
});

/** A test of a wasm kernel or patch (the backend is forced to wasm above). */
function wasmIt(name: string, fn: () => unknown): void {
  it(name, async () => {
    expect(tf.getBackend()).toBe('wasm');
    await fn();
  });
}

/** Runs `fn` with `backend` active and returns plain arrays (tensors never cross backends). */
async function onBackend<T>(backend: string, fn: () => T): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return fn();
  } finally {
    await tf.setBackend(previous);
  }
}

const values = (n: number, seed: number): Float32Array => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
};
const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs `fn` in a tidy scope, then reads and disposes the tensors it returned (never read inside tidy). */
function readAll(fn: () => tf.Tensor[]): Float32Array[] {
  const tensors = tf.tidy(fn);
  const out = tensors.map((t) => t.dataSync() as Float32Array);
  tf.dispose(tensors);
  return out;
}

type FilterCase = {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

const filterCases: FilterCase[] = [
  { name: '3×3 same stride 1', x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3×2 same stride (2,1), odd sizes', x: [3, 9, 7, 2], filter: [3, 2, 2, 5], strides: [2, 1], pad: 'same' },
  { name: '5×5 valid stride 2', x: [2, 12, 11, 3], filter: [5, 5, 3, 2], strides: 2, pad: 'valid' },
  { name: '2×2 valid stride 3 (input rows unread)', x: [2, 10, 9, 2], filter: [2, 2, 2, 3], strides: 3, pad: 'valid' },
  {
    name: 'explicit asymmetric padding',
    x: [2, 6, 5, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    name: 'numeric padding with ceil rounding',
    x: [1, 8, 8, 2],
    filter: [3, 3, 2, 2],
    strides: 2,
    pad: 1,
    dimRoundingMode: 'ceil',
  },
  { name: 'NCHW layout', x: [2, 3, 7, 6], filter: [3, 3, 3, 4], strides: 2, pad: 'same', dataFormat: 'NCHW' },
];

function runFilterKernel(c: FilterCase): Float32Array {
  return readAll(() => {
    const dataFormat = c.dataFormat ?? 'NHWC';
    const xNhwc = dataFormat === 'NCHW' ? [c.x[0], c.x[2], c.x[3], c.x[1]] : c.x;
    const info = tf.backend_util.computeConv2DInfo(
      xNhwc as [number, number, number, number],
      c.filter,
      c.strides,
      1,
      c.pad,
      c.dimRoundingMode,
    );
    const dyShape =
      dataFormat === 'NCHW' ? [info.batchSize, info.outChannels, info.outHeight, info.outWidth] : info.outShape;
    const x = tf.tensor(values(sizeOf(c.x), 1), c.x);
    const dy = tf.tensor(values(sizeOf(dyShape), 2), dyShape);
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat,
      dimRoundingMode: c.dimRoundingMode,
      filterShape: c.filter,
    };
    const dw = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(dw.shape).toEqual(c.filter);
    return [dw];
  })[0];
}

describe('Conv2DBackpropFilter on wasm', () => {
  wasmIt('is registered by initBackend', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  for (const c of filterCases) {
    wasmIt(`matches the cpu kernel: ${c.name}`, async () => {
      const wasm = runFilterKernel(c);
      const cpu = await onBackend('cpu', () => runFilterKernel(c));
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
    });
  }

  // wasm's own Conv2DBackpropInput (the dx of a conv) is used as is: check it on the same cases.
  for (const c of filterCases.filter((f) => f.dataFormat !== 'NCHW')) {
    wasmIt(`wasm's Conv2DBackpropInput matches the cpu kernel: ${c.name}`, async () => {
      const run = (): Float32Array =>
        readAll(() => {
          const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
          const dy = tf.tensor(values(sizeOf(info.outShape), 2), info.outShape);
          const filter = tf.tensor(values(sizeOf(c.filter), 3), c.filter);
          const attrs = {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            dimRoundingMode: c.dimRoundingMode,
            inputShape: c.x,
          };
          return [
            tf
              .engine()
              .runKernel('Conv2DBackpropInput', { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
          ];
        })[0];
      const wasm = run();
      const cpu = await onBackend('cpu', run);
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
    });
  }

  it('conv2dFilterGradient leaves no intermediate tensors', () => {
    const rng = new Rng(3);
    const x = randn([2, 6, 6, 2], rng) as tf.Tensor4D;
    const dy = randn([2, 3, 3, 4], rng) as tf.Tensor4D;
    expectNoLeak(() =>
      conv2dFilterGradient(x, dy, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 4] }),
    );
    tf.dispose([x, dy]);
  });

  // conv → +bias → relu → max-pool → conv (stride 2, valid) → flatten → dense: every gradient.
  const netShapes = { x: [4, 10, 10, 3], w1: [3, 3, 3, 6], b1: [6], w2: [2, 2, 6, 5], w3: [20, 7] };
  function netGradients(): Float32Array[] {
    return readAll(() => {
      const inputs = Object.values(netShapes).map((s, i) => tf.tensor(values(sizeOf(s), 10 + i), s));
      const dout = tf.tensor(values(4 * 7, 99), [4, 7]);
      const loss = (x: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor): tf.Scalar => {
        const h1 = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'), b1));
        const p1 = tf.maxPool(h1 as tf.Tensor4D, 2, 2, 'valid'); // [4, 5, 5, 6]
        const h2 = tf.conv2d(p1, w2 as tf.Tensor4D, 2, 'valid'); // [4, 2, 2, 5]
        const y = tf.matMul(tf.reshape(h2, [4, 20]), w3);
        return tf.sum(tf.mul(y, dout));
      };
      const grads = tf.grads(loss as (...xs: tf.Tensor[]) => tf.Scalar)(inputs);
      return grads;
    });
  }

  wasmIt('gradients of a conv+relu+maxpool+dense network match the cpu backend', async () => {
    const wasm = netGradients();
    const cpu = await onBackend('cpu', netGradients);
    Object.keys(netShapes).forEach((name, i) => {
      expect(relError(wasm[i], cpu[i]), `d${name}`).toBeLessThan(1e-5);
    });
  });

  it('trains a tf.layers CNN with fit and trainOnBatch, with no tensor growth across steps', async () => {
    const model = tf.sequential();
    model.add(
      tf.layers.conv2d({
        inputShape: [12, 12, 3],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(
      tf.layers.conv2d({
        filters: 5,
        kernelSize: 2,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }),
      }),
    );
    model.add(tf.layers.flatten());
    model.add(
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }),
      }),
    );
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.tensor(values(8 * 12 * 12 * 3, 5), [8, 12, 12, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const conv1 = model.layers[0].getWeights()[0].dataSync().slice();
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      losses.push((await model.trainOnBatch(x, y)) as number);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size, `numTensors per step ${counts}`).toBe(1);
    losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
    expect(losses[3]).toBeLessThan(losses[0]);
    // The first conv's filter moved, i.e. it received a gradient through Conv2DBackpropFilter.
    expect(relError(model.layers[0].getWeights()[0].dataSync(), conv1)).toBeGreaterThan(1e-4);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    expect(history.history.loss.every((l) => Number.isFinite(l as number))).toBe(true);
    model.dispose();
    tf.dispose([x, y]);
  });
});

describe("MaxPoolGrad on wasm (replacing wasm's faulty kernel)", () => {
  type PoolCase = {
    name: string;
    x: [number, number, number, number];
    k: number | [number, number];
    s: number | [number, number];
    pad: 'valid' | 'same' | number;
    ints?: boolean;
  };
  const poolCases: PoolCase[] = [
    { name: "2×2 stride 2, 28×28×8 (wasm's own kernel is wrong here)", x: [4, 28, 28, 8], k: 2, s: 2, pad: 'valid' },
    { name: '2×2 stride 2, odd size', x: [3, 5, 5, 2], k: 2, s: 2, pad: 'valid' },
    { name: '3×3 stride 2 same (overlapping)', x: [2, 9, 9, 3], k: 3, s: 2, pad: 'same' },
    { name: '3×2 stride (1,2) valid', x: [2, 7, 8, 2], k: [3, 2], s: [1, 2], pad: 'valid' },
    // (No dimRoundingMode case: tfjs-core's MaxPool gradient drops that attribute on every backend.)
    { name: 'numeric padding', x: [1, 7, 7, 2], k: 3, s: 2, pad: 1 },
    { name: 'small integers: many ties, same rule as cpu', x: [2, 6, 6, 3], k: 3, s: 1, pad: 'same', ints: true },
  ];

  function poolGradient(c: PoolCase): Float32Array {
    return readAll(() => {
      const raw = values(sizeOf(c.x), 7);
      const x = tf.tensor(c.ints ? raw.map((v) => Math.round(v)) : raw, c.x) as tf.Tensor4D;
      const f = (a: tf.Tensor): tf.Tensor => tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad);
      const outShape = f(x).shape;
      const dy = tf.tensor(values(sizeOf(outShape), 8), outShape);
      return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x)];
    })[0];
  }

  for (const c of poolCases) {
    wasmIt(`matches the cpu backend: ${c.name}`, async () => {
      const wasm = poolGradient(c);
      const cpu = await onBackend('cpu', () => poolGradient(c));
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
    });
  }

  it('maxPoolInputGradient leaves no intermediate tensors', () => {
    const rng = new Rng(6);
    const x = randn([2, 4, 4, 3], rng) as tf.Tensor4D;
    const dy = randn([2, 2, 2, 3], rng) as tf.Tensor4D;
    expectNoLeak(() => maxPoolInputGradient(x, dy, { filterSize: 2, strides: 2, pad: 'valid' }));
    tf.dispose([x, dy]);
  });
});

describe('UnsortedSegmentSum on wasm (the gradient of tf.gather)', () => {
  const run = (): Float32Array[] =>
    readAll(() => {
      const x = tf.tensor(values(8 * 2 * 3, 11), [8, 2, 3]);
      // Repeated ids, and ids outside [0, 4) that must be dropped.
      const ids = tf.tensor1d([0, 3, 3, -1, 4, 1, 2, 7], 'int32');
      const sum = tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds: ids }, { numSegments: 4 }) as tf.Tensor;
      expect(sum.shape).toEqual([4, 2, 3]);
      // Through autodiff: the gradient of a gather with repeated indices.
      const table = tf.tensor(values(5 * 3, 12), [5, 3]);
      const idx = tf.tensor1d([4, 0, 4, 2, 4], 'int32');
      const dout = tf.tensor(values(5 * 3, 13), [5, 3]);
      const [dtable] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), dout)))([table]);
      return [sum, dtable];
    });

  wasmIt('matches the cpu kernel, with repeated and out-of-range ids, and through tf.gather autodiff', async () => {
    const wasm = run();
    const cpu = await onBackend('cpu', run);
    expect(relError(wasm[0], cpu[0]), 'segment sum').toBeLessThan(1e-6);
    expect(relError(wasm[1], cpu[1]), 'gather gradient').toBeLessThan(1e-6);
  });
});

describe('fast BatchMatMul gradient', () => {
  afterAll(() => {
    // Leave the registry as installWasmPatches set it.
    useFastMatMulGradient();
  });

  const combos: [boolean, boolean][] = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ];
  // [a's shape, b's shape] before the transpose flags are applied: a is [..., m, k], b is [..., k, n].
  const shapes: [number[], number[]][] = [
    [
      [5, 3],
      [3, 4],
    ],
    [
      [2, 5, 3],
      [2, 3, 4],
    ],
    [
      [2, 3, 5, 3],
      [2, 3, 3, 6],
    ],
    // Batch broadcasts tfjs's matMul computes correctly (one side's batch has size 1):
    [
      [2, 3, 4, 3],
      [3, 2],
    ], // x[N, T, D]·W[D, H]-style
    [
      [1, 4, 3],
      [5, 3, 2],
    ],
  ];
  const swapLast2 = (s: number[]): number[] => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];

  function gradients(aShape: number[], bShape: number[], ta: boolean, tb: boolean): Float32Array[] {
    return readAll(() => {
      const a = tf.tensor(values(sizeOf(aShape), 21), ta ? swapLast2(aShape) : aShape);
      const b = tf.tensor(values(sizeOf(bShape), 22), tb ? swapLast2(bShape) : bShape);
      const outShape = tf.matMul(a, b, ta, tb).shape;
      const dout = tf.tensor(values(sizeOf(outShape), 23), outShape);
      const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, ta, tb), dout)))([a, b]);
      expect(da.shape).toEqual(a.shape);
      expect(db.shape).toEqual(b.shape);
      return [da, db];
    });
  }

  for (const [aShape, bShape] of shapes) {
    for (const [ta, tb] of combos) {
      // (tfjs 4.22's matMul mis-indexes general broadcasts such as [2,1]×[3])
      const broadcast = aShape.length !== bShape.length || aShape[0] !== bShape[0];
      it(`equals the default gradient: a [${aShape}] b [${bShape}] transposeA=${ta} transposeB=${tb}`, () => {
        useDefaultMatMulGradient();
        // The default gradient does not reduce broadcast batch axes; there the reference is
        // the default gradient of the same product with b tiled to the broadcast batch.
        const ref = broadcast ? broadcastReference(aShape, bShape, ta, tb) : gradients(aShape, bShape, ta, tb);
        useFastMatMulGradient();
        expect(isFastMatMulGradient()).toBe(true);
        const fast = gradients(aShape, bShape, ta, tb);
        expect(relError(fast[0], ref[0]), 'da').toBeLessThan(1e-6);
        expect(relError(fast[1], ref[1]), 'db').toBeLessThan(1e-6);
      });
    }
  }

  /** Default-gradient reference for the broadcast case: tile a and b to the common batch shape. */
  function broadcastReference(aShape: number[], bShape: number[], ta: boolean, tb: boolean): Float32Array[] {
    return readAll(() => {
      const a = tf.tensor(values(sizeOf(aShape), 21), ta ? swapLast2(aShape) : aShape);
      const b = tf.tensor(values(sizeOf(bShape), 22), tb ? swapLast2(bShape) : bShape);
      const outShape = tf.matMul(a, b, ta, tb).shape;
      const batch = outShape.slice(0, -2);
      const dout = tf.tensor(values(sizeOf(outShape), 23), outShape);
      const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => {
        const pt = tf.broadcastTo(p, [...batch, ...p.shape.slice(-2)]);
        const qt = tf.broadcastTo(q, [...batch, ...q.shape.slice(-2)]);
        return tf.sum(tf.mul(tf.matMul(pt, qt, ta, tb), dout));
      })([a, b]);
      return [da, db];
    });
  }

  it('switches back and forth, and the default is restored exactly', () => {
    useFastMatMulGradient();
    const fast = tf.getGradient('BatchMatMul');
    useDefaultMatMulGradient();
    expect(isFastMatMulGradient()).toBe(false);
    expect(tf.getGradient('BatchMatMul')).not.toBe(fast);
    useFastMatMulGradient();
    useFastMatMulGradient(); // idempotent: the saved default must not become the fast one
    useDefaultMatMulGradient();
    expect(isFastMatMulGradient()).toBe(false);
  });

  it('leaves no tensors behind in a gradient', () => {
    useFastMatMulGradient();
    const rng = new Rng(4);
    const a = randn([3, 5, 4], rng);
    const b = randn([3, 2, 5], rng);
    expectNoLeak(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q, true, true)))([a, b]), 'grads');
    tf.dispose([a, b]);
  });
});
