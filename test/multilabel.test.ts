/**
 * Multi-label heads: builders (Proposed / HC / nM), the softmax-heads trainer and evaluator,
 * joint labels, backbone pre-training and freezing, cell-max scene features, and the sigmoid
 * head whose gradient comes from the library's BCE (checked against autodiff of a reference loss).
 */
import { describe, expect, it } from 'vitest';
import { Rng, evaluateSoftmaxHeads, randn, tf, trainSoftmaxHeads } from '../lib';
import { buildBackbone, copyBackbone, extractFeatures, pretrainBackbone } from '../lib/models/multilabel/backbone';
import {
  buildJointModel,
  buildProposedModel,
  buildSeparateModels,
  jointLabelIndex,
} from '../lib/models/multilabel/heads';
import {
  buildSigmoidHead,
  cellMaxFeatures,
  sigmoidHeadGradients,
  trainSigmoidHead,
} from '../lib/models/multilabel/sigmoidHead';
import { expectNoLeak, relError } from './helpers';

/** Features whose first two coordinates encode two labels (separable), plus noise. */
function toyData(N: number, seed: number) {
  const rng = new Rng(seed);
  const a = Array.from({ length: N }, () => rng.int(3));
  const b = Array.from({ length: N }, () => rng.int(2));
  const x = new Float32Array(N * 6);
  for (let n = 0; n < N; n++) {
    x[n * 6] = a[n] - 1;
    x[n * 6 + 1] = 2 * b[n] - 1;
    for (let j = 2; j < 6; j++) x[n * 6 + j] = 0.3 * rng.normal();
  }
  return { x: tf.tensor2d(x, [N, 6]), a: tf.tensor1d(a, 'int32'), b: tf.tensor1d(b, 'int32'), aArr: a, bArr: b };
}

describe('softmax heads', () => {
  const cats = [
    { name: 'a', classes: 3 },
    { name: 'b', classes: 2 },
  ];

  it('train deterministically to high accuracy with a flat tensor count', () => {
    const d = toyData(240, 1);
    const run = () => {
      const bb = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 6, trainable: false })] });
      const { head } = buildProposedModel(bb, cats, { hidden: 16, seed: 5 });
      const counts: number[] = [];
      const h = trainSoftmaxHeads(head, d.x, [d.a, d.b], {
        epochs: 15,
        batchSize: 32,
        lr: 0.02,
        seed: 7,
        onStep: () => counts.push(tf.memory().numTensors),
      });
      return { head, h, counts };
    };
    const r1 = run();
    const r2 = run();
    expect(r1.h.stepLosses).toEqual(r2.h.stepLosses);
    expect(r1.h.stepLosses.length).toBe(15 * 8);
    expect(r1.h.epochLosses[14]).toBeLessThan(r1.h.epochLosses[0] / 4);
    expect(new Set(r1.counts.slice(1)).size).toBe(1);
    const ev = evaluateSoftmaxHeads(r1.head, d.x, [d.a, d.b], 100);
    expect(ev[0].accuracy).toBeGreaterThan(0.95);
    expect(ev[1].accuracy).toBeGreaterThan(0.95);
  });

  it('evaluate: mean cross-entropy and argmax accuracy match a float64 reference', () => {
    const d = toyData(50, 2);
    const head = buildProposedModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 6 })] }), cats, {
      hidden: 8,
      seed: 3,
    }).head;
    const ev = evaluateSoftmaxHeads(head, d.x, [d.a, d.b], 16);
    const logits = (head.predict(d.x) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);
    [d.aArr, d.bArr].forEach((truth, k) => {
      let loss = 0;
      let hits = 0;
      logits[k].forEach((row, n) => {
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        loss += lse - row[truth[n]];
        if (row.indexOf(m) === truth[n]) hits++;
      });
      expect(ev[k].loss).toBeCloseTo(loss / 50, 4);
      expect(ev[k].accuracy).toBeCloseTo(hits / 50, 12);
    });
  });

  it('rejects mismatched targets', () => {
    const d = toyData(10, 3);
    const head = buildProposedModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 6 })] }), cats, {
      hidden: 4,
      seed: 1,
    }).head;
    expect(() => trainSoftmaxHeads(head, d.x, [d.a], { epochs: 1, batchSize: 4, lr: 0.1, seed: 1 })).toThrow(
      /expected 2 target tensors/,
    );
    expect(() => evaluateSoftmaxHeads(head, d.x, [d.a, tf.tensor1d([1, 0], 'int32')])).toThrow(/targets\[1\]/);
  });
});

describe('builders', () => {
  it(
    'Proposed has one output per category, HC one joint output, ' +
      'nM one model per category with its own backbone copy',
    () => {
      const bb = buildBackbone({ seed: 11 });
      bb.trainable = false;
      const cats = [
        { name: 'item', classes: 10 },
        { name: 'colour', classes: 8 },
      ];
      const P = buildProposedModel(bb, cats, { hidden: 16, seed: 1 });
      expect(P.model.outputs.map((o) => o.shape)).toEqual([
        [null, 10],
        [null, 8],
      ]);
      const H = buildJointModel(bb, 27, { hidden: 16, seed: 1 });
      expect(H.model.outputs[0].shape).toEqual([null, 27]);
      const M = buildSeparateModels(bb, cats, { hidden: 16, seed: 1 });
      expect(M.map((m) => m.model.outputs[0].shape)).toEqual([
        [null, 10],
        [null, 8],
      ]);
      // Copies compute the same features with separate weights.
      const x = randn([2, 28, 28, 3], new Rng(1), 0.5);
      const own = M[0].model.layers.find(
        (l) => l instanceof tf.LayersModel && l.name.startsWith('backbone'),
      ) as tf.LayersModel;
      expect(own).toBeDefined();
      expect(own).not.toBe(bb);
      expect(relError(own.predict(x) as tf.Tensor, bb.predict(x) as tf.Tensor)).toBe(0);
      expect(own.trainableWeights.length).toBe(0);
      // The deployable model and its head share weights: same logits from images or from features.
      const f = extractFeatures(bb, x as tf.Tensor4D, 1);
      expect(relError((P.model.predict(x) as tf.Tensor[])[1], (P.head.predict(f) as tf.Tensor[])[1])).toBeLessThan(
        1e-6,
      );
      const c = copyBackbone(bb, { seed: 2 });
      // zeroing the copy leaves the original alone
      c.layers[0].setWeights(c.layers[0].getWeights().map((w) => tf.zerosLike(w)));
      expect(tf.sum(tf.abs(bb.layers[0].getWeights()[0])).dataSync()[0]).toBeGreaterThan(0);
      expect(tf.sum(tf.abs(c.layers[0].getWeights()[0])).dataSync()[0]).toBe(0);
    },
  );

  it('joint labels index the seen combinations, −1 otherwise', () => {
    expect(
      jointLabelIndex(
        [
          [0, 1, 2, 1],
          [3, 0, 0, 3],
        ],
        [
          [1, 0],
          [0, 3],
          [1, 3],
        ],
      ),
    ).toEqual([1, 0, -1, 2]);
    expect(() => jointLabelIndex([[0], [1]], [[0]])).toThrow(/every combo must have 2 entries/);
  });

  it('pre-training trains the backbone, then freezes it', () => {
    const rng = new Rng(4);
    const bb = buildBackbone({ seed: 4 });
    const images = randn([16, 28, 28, 3], rng, 0.5) as tf.Tensor4D;
    const labels = tf.tensor1d(
      Array.from({ length: 16 }, () => rng.int(10)),
      'int32',
    );
    const before = bb.getWeights()[0].dataSync().slice();
    const { history } = pretrainBackbone(bb, images, labels, {
      classes: 10,
      epochs: 1,
      batchSize: 8,
      lr: 1e-3,
      seed: 1,
    });
    expect(history.stepLosses.length).toBe(2);
    expect(relError(before, bb.getWeights()[0].dataSync())).toBeGreaterThan(0);
    expect(bb.trainable).toBe(false);
    const P = buildProposedModel(
      bb,
      [
        { name: 'item', classes: 10 },
        { name: 'colour', classes: 8 },
      ],
      { hidden: 4, seed: 1 },
    );
    expect(P.model.trainableWeights.length).toBe(P.head.trainableWeights.length);
  });

  it('cell-max features are the per-cell backbone features max-pooled over the four cells', () => {
    const bb = buildBackbone({ seed: 6 });
    const scenes = tf.abs(randn([3, 56, 56, 3], new Rng(2))) as tf.Tensor4D;
    const f = cellMaxFeatures(bb, scenes, 2);
    const cells = [0, 1, 2, 3].map(
      (c) =>
        (
          bb.predict(scenes.slice([0, Math.floor(c / 2) * 28, (c % 2) * 28, 0], [3, 28, 28, 3])) as tf.Tensor
        ).arraySync() as number[][],
    );
    const ref = cells[0].map((row, n) => row.map((_, j) => Math.max(...cells.map((cf) => cf[n][j]))));
    expect(relError(f, ref.flat())).toBeLessThan(1e-6);
    expectNoLeak(() => cellMaxFeatures(bb, scenes, 2), 'cellMaxFeatures');
  });
});

describe('sigmoid head', () => {
  it('gradients from the library BCE equal autodiff of a reference weighted BCE', () => {
    const rng = new Rng(9);
    const head = buildSigmoidHead({ inputDim: 5, hidden: 7, classes: 4, seed: 3 });
    const x = randn([6, 5], rng) as tf.Tensor2D;
    const y = tf.tensor2d(
      Array.from({ length: 24 }, () => (rng.uniform() < 0.3 ? 1 : 0)),
      [6, 4],
    );
    const posWeight = [1, 2, 0.5, 3];
    const { loss, grads } = sigmoidHeadGradients(head, x, y, posWeight);
    const vars = head.trainableWeights.map((w) => w.read() as tf.Variable);
    const ref = tf.variableGrads(() => {
      const z = head.apply(x) as tf.Tensor;
      const p = tf.tensor1d(posWeight);
      // −[p·y·log σ(z) + (1 − y)·log(1 − σ(z))], mean over N·C, with log σ(z) = −softplus(−z)
      return tf.mean(
        tf.add(tf.mul(tf.mul(p, y), tf.softplus(tf.neg(z))), tf.mul(tf.sub(1, y), tf.softplus(z))),
      ) as tf.Scalar;
    }, vars);
    expect(loss).toBeCloseTo(ref.value.dataSync()[0], 5);
    for (const v of vars) expect(relError(grads[v.name], ref.grads[v.name])).toBeLessThan(1e-5);
  });

  it('trains: loss falls, deterministic, flat tensor count', () => {
    const rng = new Rng(10);
    const x = randn([128, 6], rng) as tf.Tensor2D;
    const y = tf.tidy(() => tf.cast(tf.greater(x.slice([0, 0], [-1, 3]), 0), 'float32')) as tf.Tensor2D;
    const run = () => {
      const head = buildSigmoidHead({ inputDim: 6, hidden: 16, classes: 3, seed: 1 });
      const counts: number[] = [];
      const h = trainSigmoidHead(head, x, y, {
        epochs: 20,
        batchSize: 32,
        lr: 0.02,
        seed: 2,
        posWeight: [1, 2, 1],
        onStep: () => counts.push(tf.memory().numTensors),
      });
      return { h, counts };
    };
    const a = run();
    const b = run();
    expect(a.h.stepLosses).toEqual(b.h.stepLosses);
    expect(a.h.epochLosses[19]).toBeLessThan(a.h.epochLosses[0] / 3);
    expect(new Set(a.counts.slice(1)).size).toBe(1);
  });
});
