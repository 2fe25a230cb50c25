import { describe, expect, it } from 'vitest';
import { tf, Rng, ShapeError, multiHeadAttentionForward, MultiHeadAttentionParams } from '../lib';
import {
  makeRetrievalData,
  encodeRetrievalBatch,
  attentionRetrievalModel,
  meanPoolRetrievalModel,
  trainRetrievalModel,
  evaluateRetrieval,
  retrievalParameterCount,
  movingAverage,
  attentionMassOnMatch,
  retrievalBaselines,
  RetrievalData,
} from '../lib/models/sequenceTasks/keyValueRetrieval';
import { relError } from './helpers';

const task = { numKeys: 16, numValues: 16, pairs: 8 };

describe('key–value retrieval data', () => {
  it('has distinct keys, a query among them and the value stored under it; same seed, same data', () => {
    const d = makeRetrievalData({ ...task, n: 200, rng: new Rng(1) });
    for (let e = 0; e < 200; e++) {
      expect(new Set(d.keys[e]).size).toBe(task.pairs);
      expect(d.keys[e][d.queryPos[e]]).toBe(d.query[e]);
      expect(d.values[e][d.queryPos[e]]).toBe(d.answer[e]);
    }
    expect(makeRetrievalData({ ...task, n: 200, rng: new Rng(1) })).toEqual(d);
    expect(() => makeRetrievalData({ ...task, numKeys: 4, n: 10, rng: new Rng(1) })).toThrow(ShapeError);
  });

  it('one-hot encodes pair and query tokens', () => {
    const d = makeRetrievalData({ ...task, n: 5, rng: new Rng(2) });
    const b = encodeRetrievalBatch(d, [3, 1]);
    expect(b.pairs.shape).toEqual([2, task.pairs, 32]);
    const p = b.pairs.arraySync()[0][0],
      q = b.query.arraySync()[1][0];
    expect(p[d.keys[3][0]]).toBe(1);
    expect(p[16 + d.values[3][0]]).toBe(1);
    expect(p.reduce((a, c) => a + c, 0)).toBe(2);
    expect(q[d.query[1]]).toBe(1);
    expect(q.reduce((a, c) => a + c, 0)).toBe(1);
    expect(Array.from(b.answer.dataSync())).toEqual([d.answer[3], d.answer[1]]);
    expect(() => encodeRetrievalBatch(d, [5])).toThrow(/encodeRetrievalBatch: indices must be integers in \[0, 5\)/);
    tf.dispose(b);
  });
});

describe('retrieval models', () => {
  it('attention model: hand-written gradients match autodiff of the same loss', () => {
    const d = makeRetrievalData({ ...task, n: 16, rng: new Rng(3) });
    const model = attentionRetrievalModel({ numKeys: 16, numValues: 16, heads: 2, rng: new Rng(4) });
    const batch = encodeRetrievalBatch(d);
    const { loss, grads } = model.lossAndGrads(batch);
    const names = Object.keys(model.params);
    const lossOf = (...ps: tf.Tensor[]) => {
      const p = Object.fromEntries(names.map((n, i) => [n, ps[i]]));
      const att = multiHeadAttentionForward(
        batch.query,
        batch.pairs,
        batch.pairs,
        p as unknown as MultiHeadAttentionParams,
        { heads: 2 },
      );
      const logits = tf.add(tf.matMul(tf.reshape(att.out, [16, 32]), p.Wc), p.bc);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.answer, 16), logits) as tf.Scalar;
    };
    const auto = tf.tidy(() => tf.grads(lossOf)(names.map((n) => model.params[n])));
    const autoLoss = tf.tidy(() => lossOf(...names.map((n) => model.params[n])).dataSync()[0]);
    expect(loss).toBeCloseTo(autoLoss, 5);
    names.forEach((n, i) => {
      if (n === 'bk') return; // zero in exact arithmetic (see test/multiHeadAttention.test.ts)
      expect(relError(grads[n], auto[i]), n).toBeLessThan(1e-5);
    });
    tf.dispose([batch, grads, auto, Object.values(model.params)]);
  });

  it('mean-pool model: hand-written gradients match autodiff of the same loss', () => {
    const d = makeRetrievalData({ ...task, n: 16, rng: new Rng(5) });
    const model = meanPoolRetrievalModel({ numKeys: 16, numValues: 16, hidden: 12, rng: new Rng(6) });
    const batch = encodeRetrievalBatch(d);
    const { loss, grads } = model.lossAndGrads(batch);
    const names = Object.keys(model.params);
    const lossOf = (W1: tf.Tensor, b1: tf.Tensor, W2: tf.Tensor, b2: tf.Tensor) => {
      const u = tf.concat([tf.mean(batch.pairs, 1), tf.reshape(batch.query, [16, 32])], 1);
      const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(u, W1), b1)), W2), b2);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.answer, 16), logits) as tf.Scalar;
    };
    expect(names).toEqual(['W1', 'b1', 'W2', 'b2']);
    const ps: tf.Tensor[] = names.map((n) => model.params[n]);
    const auto = tf.tidy(() => tf.grads(lossOf as (...xs: tf.Tensor[]) => tf.Scalar)(ps));
    expect(loss).toBeCloseTo(
      tf.tidy(() => lossOf(ps[0], ps[1], ps[2], ps[3]).dataSync()[0]),
      5,
    );
    names.forEach((n, i) => expect(relError(grads[n], auto[i]), n).toBeLessThan(1e-5));
    tf.dispose([batch, grads, auto, Object.values(model.params)]);
  });

  it(
    'training is deterministic, keeps the tensor count flat, ' +
      'and attention solves the task while mean-pooling cannot',
    () => {
      const train = makeRetrievalData({ ...task, n: 3000, rng: new Rng(7) });
      const test = makeRetrievalData({ ...task, n: 500, rng: new Rng(8) });
      const opts = { steps: 300, batchSize: 64, lr: 3e-3, seed: 9 };
      const counts: number[] = [];
      const att = attentionRetrievalModel({ numKeys: 16, numValues: 16, heads: 2, rng: new Rng(1) });
      const h1 = trainRetrievalModel(att, train, {
        ...opts,
        onStep: (s) => s > 1 && counts.push(tf.memory().numTensors),
      });
      expect(new Set(counts).size).toBe(1);
      const att2 = attentionRetrievalModel({ numKeys: 16, numValues: 16, heads: 2, rng: new Rng(1) });
      expect(trainRetrievalModel(att2, train, { ...opts, steps: 20 }).losses).toEqual(h1.losses.slice(0, 20));
      const pool = meanPoolRetrievalModel({ numKeys: 16, numValues: 16, hidden: 58, rng: new Rng(1) });
      trainRetrievalModel(pool, train, opts);
      const a = evaluateRetrieval(att, test),
        p = evaluateRetrieval(pool, test);
      expect(a.accuracy).toBeGreaterThan(0.9);
      expect(Math.max(...a.hitRate!)).toBeGreaterThan(0.9);
      expect(p.accuracy).toBeLessThan(0.5);
      expect(p.hitRate).toBeNull();
      expect(
        Math.abs(retrievalParameterCount(pool) - retrievalParameterCount(att)) / retrievalParameterCount(att),
      ).toBeLessThan(0.1);
      tf.dispose([Object.values(att.params), Object.values(att2.params), Object.values(pool.params)]);
    },
  );
});

describe('retrieval helpers', () => {
  it('movingAverage averages a trailing window and validates its arguments', () => {
    expect(movingAverage([1, 3, 5, 7], 2)).toEqual([1, 2, 4, 6]);
    expect(movingAverage([2, 4], 20)).toEqual([2, 3]);
    expect(() => movingAverage([1], 0)).toThrow(/movingAverage: argument 'window' expected an integer >= 1/);
  });

  it('baselines: uniform among values present, most frequent value present (ties split), uniform over all', () => {
    const d: RetrievalData = {
      keys: [Int32Array.of(0, 1, 2), Int32Array.of(0, 1, 2)],
      values: [Int32Array.of(5, 5, 7), Int32Array.of(1, 2, 3)],
      query: Int32Array.of(0, 1),
      queryPos: Int32Array.of(0, 1),
      answer: Int32Array.of(5, 2),
      numKeys: 3,
      numValues: 8,
      pairs: 3,
    };
    const b = retrievalBaselines(d);
    expect(b.uniformPresent).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12);
    expect(b.mostFrequentPresent).toBeCloseTo((1 + 1 / 3) / 2, 12);
    expect(b.uniformAll).toBe(1 / 8);
    const w = [
      [
        [0.5, 0.25, 0.25],
        [1, 0, 0],
      ],
      [
        [0, 1, 0],
        [0.2, 0.6, 0.2],
      ],
    ];
    expect(attentionMassOnMatch(w, d)).toBeCloseTo((0.75 + 0.8) / 2, 12);
    expect(() => attentionMassOnMatch(w.slice(1), d)).toThrow(
      /attentionMassOnMatch: argument 'attention' expected 2 examples/,
    );
  });
});
