/**
 * CaptioningRNN: loss and every gradient (hand-written backward) against a float64
 * reference with centred numeric gradients, for each cell type; overfitting a small set;
 * greedy sampling rules; no tensor leaks.
 */
import { describe, expect, it } from 'vitest';
import { tf, Rng } from '../lib';
import { CaptioningRNN, linspace } from '../lib/models/captioning/captioningRnn';
import { f64, fromTensor, numericVjp, relError, expectNoLeak } from './helpers';
import { captioningLossRef, CellType } from './ref/captioning';

const CELLS: CellType[] = ['rnn', 'lstm', 'attention'];

/** A toy vocabulary: the three special tokens + <UNK> + words w0..w(k-1). */
function vocab(k: number): Record<string, number> {
  const words = ['<NULL>', '<START>', '<END>', '<UNK>', ...Array.from({ length: k }, (_, i) => `w${i}`)];
  return Object.fromEntries(words.map((w, i) => [w, i]));
}

describe('CaptioningRNN loss and gradients vs float64 reference (linspace weights)', () => {
  for (const cellType of CELLS) {
    it(cellType, () => {
      const N = 3,
        D = 5,
        W = 4,
        H = 6,
        P = 2,
        L = 5;
      const wordToIdx = vocab(6);
      const V = Object.keys(wordToIdx).length;
      const model = new CaptioningRNN({
        wordToIdx,
        inputDim: D,
        wordvecDim: W,
        hiddenDim: H,
        cellType,
        init: 'linspace',
      });
      const featShape = cellType === 'attention' ? [N, D, P, P] : [N, D];
      const size = featShape.reduce((a, b) => a * b, 1);
      const features = f64(featShape, linspace(-1.5, 0.3, size));
      // Deterministic captions with padding: row n ends with <END> then <NULL>s (row 0 has none).
      const captions = [
        [1, 4, 5, 6, 7],
        [1, 8, 9, 2, 0],
        [1, 5, 2, 0, 0],
      ];
      const featT = tf.tensor(Float32Array.from(features.data), featShape);
      const capT = tf.tensor2d(captions, [N, L], 'int32');
      const { loss, grads } = model.loss(featT, capT);
      const params = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, fromTensor(v)]));
      const refLoss = captioningLossRef(cellType, params, features, captions);
      expect(Math.abs(loss - refLoss) / Math.abs(refLoss), `loss ${loss} vs ${refLoss}`).toBeLessThan(1e-5);
      expect(Object.keys(grads).sort()).toEqual(Object.keys(model.params).sort());
      for (const [name, p] of Object.entries(params)) {
        const numeric = numericVjp(() => captioningLossRef(cellType, params, features, captions), p, null);
        expect(relError(grads[name], numeric), `d${name}`).toBeLessThan(1e-4);
        // A non-trivial gradient (a saturated, all-zero one would pass the comparison vacuously).
        expect(Math.hypot(...numeric.data), `|d${name}|`).toBeGreaterThan(1e-3);
      }
      expect(V).toBe(model.dims.V);
      tf.dispose([featT, capT, ...Object.values(grads)]);
      model.dispose();
    });
  }
});

/** A synthetic captioning set: the caption is a function of the feature vector (so it can be learned). */
function toySet(n: number, cellType: CellType, seed: number) {
  const rng = new Rng(seed);
  const wordToIdx = vocab(8);
  const D = 8,
    P = 2,
    L = 6;
  const feats: number[] = [];
  const caps: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.int(8),
      b = rng.int(8);
    const v = new Array(D).fill(0);
    v[a] += 1;
    v[b] -= 1;
    if (cellType === 'attention')
      for (let d = 0; d < D; d++) for (let j = 0; j < P * P; j++) feats.push(v[d] * (j === a % 4 ? 2 : 0.5));
    else feats.push(...v);
    caps.push(1, 4 + a, 4 + b, 4 + ((a + b) % 8), 2, 0);
  }
  const features = tf.tensor(feats, cellType === 'attention' ? [n, D, P, P] : [n, D]);
  const captions = tf.tensor2d(caps, [n, L], 'int32');
  return { wordToIdx, D, features, captions };
}

describe('CaptioningRNN training and sampling', () => {
  for (const cellType of CELLS) {
    it(`overfits 50 captions (${cellType}): loss < 10% of its start, tensors flat`, async () => {
      const { adam } = await import('../lib');
      const { wordToIdx, D, features, captions } = toySet(50, cellType, 7);
      const model = new CaptioningRNN({ wordToIdx, inputDim: D, wordvecDim: 16, hiddenDim: 32, cellType, seed: 3 });
      const opt = adam({ lr: 2e-2 });
      const losses: number[] = [];
      let count = 0;
      for (let step = 0; step < 120; step++) {
        const { loss, grads } = model.loss(features, captions);
        opt.step(model.params, grads);
        tf.dispose(Object.values(grads));
        losses.push(loss);
        if (step === 2) count = tf.memory().numTensors;
        if (step > 2) expect(tf.memory().numTensors).toBe(count);
      }
      expect(losses[losses.length - 1], `${losses[0]} → ${losses[losses.length - 1]}`).toBeLessThan(0.1 * losses[0]);
      // The overfitted model reproduces a training caption greedily.
      const s = model.sample(features, 8);
      expect(s.indices[0].slice(0, 4)).toEqual(Array.from(captions.slice([0, 1], [1, 4]).dataSync()));
      opt.dispose();
      model.dispose();
      tf.dispose([features, captions]);
    });
  }

  for (const cellType of CELLS) {
    it(`sample stops at <END>, respects maxLength, never emits <NULL> (${cellType})`, () => {
      const { wordToIdx, D, features, captions } = toySet(6, cellType, 11);
      const model = new CaptioningRNN({ wordToIdx, inputDim: D, wordvecDim: 5, hiddenDim: 7, cellType, seed: 5 });
      // Force <END> to win every step by a large output bias: each caption is exactly [<END>, <NULL>, ...].
      const bias = new Float32Array(model.dims.V);
      bias[wordToIdx['<END>']] = 100;
      bias[wordToIdx['<NULL>']] = 200; // banned: must never be chosen even though it scores highest
      model.params.b_vocab.assign(tf.tensor1d(bias));
      const s = model.sample(features, 4);
      for (const row of s.indices) expect(row).toEqual([2, 0, 0, 0]);
      expect(s.words.every((w) => w.length === 0)).toBe(true);
      if (cellType === 'attention') expect(s.attention?.[0].length).toBe(1);
      // Without <END>: exactly maxLength words, none <NULL>/<START>.
      bias[wordToIdx['<END>']] = -100;
      bias[wordToIdx['w3']] = 50;
      model.params.b_vocab.assign(tf.tensor1d(bias));
      const s2 = model.sample(features, 4);
      for (const row of s2.indices) expect(row).toEqual([7, 7, 7, 7]);
      expect(s2.words[0]).toEqual(['w3', 'w3', 'w3', 'w3']);
      if (cellType === 'attention') {
        const maps = s2.attention![0];
        expect(maps.length).toBe(4);
        for (const m of maps) expect(m.flat().reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      expectNoLeak(() => model.sample(features, 3), 'sample');
      expectNoLeak(() => model.loss(features, captions), 'loss');
      model.dispose();
      tf.dispose([features, captions]);
    });
  }

  it('rejects features of the wrong shape for the cell type', () => {
    const model = new CaptioningRNN({
      wordToIdx: vocab(2),
      inputDim: 4,
      cellType: 'attention',
      hiddenDim: 4,
      wordvecDim: 3,
    });
    const bad = tf.zeros([2, 4]);
    const cap = tf.zeros([2, 3], 'int32');
    expect(() => model.loss(bad, cap)).toThrow(
      "CaptioningRNN.loss: argument 'features' expected shape [N, 4, P, P] but got [2, 4]",
    );
    tf.dispose([bad, cap]);
    model.dispose();
  });
});

describe('trainCaptioner', () => {
  it('leaves no tensors behind at any length, is deterministic, and round-trips a checkpoint', async () => {
    const { trainCaptioner, captionLoss } = await import('../lib/models/captioning/trainer');
    const fs = await import('fs');
    const os = await import('os');
    const path = await import('path');
    const { wordToIdx, D, features, captions } = toySet(40, 'lstm', 3);
    const data = { features, captions };
    const run = (epochs: number, checkpoint?: string, reuse = false) => {
      const model = new CaptioningRNN({
        wordToIdx,
        inputDim: D,
        wordvecDim: 8,
        hiddenDim: 16,
        cellType: 'lstm',
        seed: 9,
      });
      const before = tf.memory().numTensors;
      const h = trainCaptioner(model, data, data, {
        epochs,
        batchSize: 16,
        lr: 1e-2,
        seed: 4,
        checkpoint,
        reuseCheckpoint: reuse,
      });
      expect(tf.memory().numTensors, `tensors after ${epochs} epochs`).toBe(before);
      return { model, h };
    };
    const a = run(1);
    const b = run(3);
    expect(b.h.stepLoss.length).toBe(9);
    expect(b.h.stepLoss.slice(0, 3)).toEqual(a.h.stepLoss); // same seed → same first epoch
    expect(b.h.trainLoss[2]).toBeLessThan(b.h.trainLoss[0]);
    expect(b.h.valLoss[2]).toBeCloseTo(captionLoss(b.model, data), 5);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'captioning-')), 'lstm');
    const saved = run(2, file);
    const loaded = run(2, file, true);
    expect(loaded.h.fromCheckpoint).toBe(true);
    expect(loaded.h.stepLoss).toEqual(saved.h.stepLoss);
    for (const [name, p] of Object.entries(saved.model.params))
      expect(relError(loaded.model.params[name], p), name).toBe(0);
    const other = run(1, file, true); // other settings → the checkpoint does not apply, it trains
    expect(other.h.fromCheckpoint).toBe(false);
    for (const m of [a, b, saved, loaded, other]) m.model.dispose();
    tf.dispose([features, captions]);
  });

  it('early stopping: stops `patience` epochs after the best validation loss and keeps that epoch', async () => {
    const { trainCaptioner, captionLoss } = await import('../lib/models/captioning/trainer');
    const train = toySet(40, 'rnn', 3);
    const other = toySet(40, 'rnn', 5); // different pairs: a loss that must turn upward as the model overfits
    const val = { features: other.features, captions: other.captions };
    const model = new CaptioningRNN({
      wordToIdx: train.wordToIdx,
      inputDim: train.D,
      wordvecDim: 8,
      hiddenDim: 16,
      cellType: 'rnn',
      seed: 2,
    });
    const epochs: number[] = [];
    const before = tf.memory().numTensors;
    const h = trainCaptioner(model, { features: train.features, captions: train.captions }, val, {
      epochs: 60,
      batchSize: 8,
      lr: 3e-2,
      seed: 1,
      patience: 2,
      onEpoch: (e) => epochs.push(e),
    });
    expect(tf.memory().numTensors).toBe(before);
    const bestEpoch = h.valLoss.indexOf(Math.min(...h.valLoss)) + 1;
    expect(h.keptEpoch).toBe(bestEpoch);
    expect(h.trainLoss.length).toBeLessThan(60);
    expect(h.trainLoss.length).toBe(bestEpoch + 2);
    expect(epochs).toEqual(h.trainLoss.map((_, i) => i + 1));
    expect(captionLoss(model, val)).toBeCloseTo(h.valLoss[bestEpoch - 1], 5);
    expect(() => trainCaptioner(model, val, null, { epochs: 1, patience: 1 })).toThrow(
      "argument 'opts.patience' needs validation data",
    );
    model.dispose();
    tf.dispose([train.features, train.captions, other.features, other.captions]);
  });
});
