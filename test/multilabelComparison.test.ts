/**
 * Notebook 07's comparison and tables: one seeded run of Proposed / 2M / HC on features
 * (deterministic, no tensor left behind), accuracies on masked examples against hand counts,
 * heads-only costs, the analytic cost line against counted MACCs, and the paper's figures.
 */
import { describe, expect, it } from 'vitest';
import { Rng, tf, trainSoftmaxHeads } from '../lib';
import { countMaccs } from '../lib/metrics/modelProfile';
import { buildBackbone } from '../lib/models/multilabel/backbone';
import { trainHeadsComparison } from '../lib/models/multilabel/comparison';
import { analyticCost, costRatioCurve } from '../lib/models/multilabel/costRatio';
import {
  buildJointModel,
  buildProposedModel,
  buildSeparateModels,
  buildSoftmaxHeads,
  disposeHeadedModel,
} from '../lib/models/multilabel/heads';
import { ODETOLA_TABLES, paperInconsistencies, paperRatioText } from '../lib/models/multilabel/odetolaPaper';
import { accuracyIntervalRows, compareApproaches, correctnessGrid } from '../lib/models/multilabel/pairedAccuracy';
import { accuracyRows, countTable, labelRecords, maskedAccuracies, perSeedRows } from '../lib/models/multilabel/tables';
import { relError } from './helpers';

/** Features whose first two coordinates encode item (3 classes) and colour (2), plus noise. */
function toy(N: number, seed: number, combos: number[][]) {
  const rng = new Rng(seed);
  const pick = Array.from({ length: N }, () => combos[rng.int(combos.length)]);
  const x = new Float32Array(N * 6);
  pick.forEach(([a, b], n) => {
    x[n * 6] = a - 1;
    x[n * 6 + 1] = 2 * b - 1;
    for (let j = 2; j < 6; j++) x[n * 6 + j] = 0.2 * rng.normal();
  });
  return { x: tf.tensor2d(x, [N, 6]), labels: { item: pick.map((p) => p[0]), colour: pick.map((p) => p[1]) } };
}

describe('trainHeadsComparison', () => {
  const seenCombos = [
    [0, 0],
    [1, 1],
    [2, 0],
    [2, 1],
  ];
  const all = [0, 1, 2].flatMap((a) => [
    [a, 0],
    [a, 1],
  ]);
  const train = toy(200, 1, seenCombos);
  const test = toy(120, 2, all);
  const opts = {
    features: { train: train.x, test: test.x },
    labels: { train: train.labels, test: test.labels },
    categories: [
      { name: 'item', classes: 3 },
      { name: 'colour', classes: 2 },
    ],
    jointCombos: seenCombos,
    hidden: 8,
    epochs: 12,
    batchSize: 32,
    lr: 0.03,
  };

  it('is deterministic, leaves no tensor behind, and HC only ever names seen combinations', () => {
    const before = tf.memory().numTensors;
    const a = trainHeadsComparison(3, opts);
    expect(tf.memory().numTensors).toBe(before);
    const b = trainHeadsComparison(3, opts);
    expect(a).toEqual(b);
    expect(Object.keys(a)).toEqual(['Proposed', '2M', 'HC']);
    const hcPairs = new Set(a.HC.predictions.item.map((i, n) => `${i},${a.HC.predictions.colour[n]}`));
    for (const p of hcPairs) expect(seenCombos.map((c) => c.join(','))).toContain(p);
    expect(a.HC.seenLoss.length).toBe(1);
    expect(a['2M'].seenLoss.length).toBe(2);
    const seen = test.labels.item.map((i, n) => seenCombos.some(([x, y]) => x === i && y === test.labels.colour[n]));
    const rows = accuracyRows(a, test.labels, seen, 'seen');
    for (const r of rows) expect(r['pair acc (%)']).toBeGreaterThan(90); // separable toy features
    const unseen = accuracyRows(a, test.labels, seen, 'unseen');
    expect(unseen.find((r) => r.approach === 'HC')!['pair acc (%)']).toBe(0);
    expect(unseen[0]).not.toHaveProperty('item loss');
  });

  it('heads only (hidden 0) trains as well on separable features', () => {
    const r = trainHeadsComparison(4, { ...opts, hidden: 0, epochs: 20, lr: 0.1 });
    const seen = test.labels.item.map((i, n) => seenCombos.some(([x, y]) => x === i && y === test.labels.colour[n]));
    expect(maskedAccuracies(r.Proposed.predictions, test.labels, seen).pair).toBeGreaterThan(90);
  });

  it('weighted head losses: weight 0 leaves that head untouched, and the Proposed run takes them', () => {
    const head = buildSoftmaxHeads({ inputDim: 6, hidden: 0, categories: opts.categories, seed: 5 });
    const before = head.getWeights().map((w) => w.dataSync().slice());
    const targets = [tf.tensor1d(train.labels.item, 'int32'), tf.tensor1d(train.labels.colour, 'int32')];
    const h = trainSoftmaxHeads(head, train.x, targets, {
      epochs: 1,
      batchSize: 50,
      lr: 0.05,
      seed: 1,
      lossWeights: [1, 0],
    });
    const after = head.getWeights().map((w) => w.dataSync());
    expect(relError(before[0], after[0])).toBeGreaterThan(0); // item head trained
    expect(relError(before[2], after[2])).toBe(0); // colour head: weight 0, no gradient
    expect(h.stepLosses.every(Number.isFinite)).toBe(true);
    expect(() =>
      trainSoftmaxHeads(head, train.x, targets, { epochs: 1, batchSize: 50, lr: 0.05, seed: 1, lossWeights: [1] }),
    ).toThrow(/lossWeights must have one weight per output \(2\)/);
    const weighted = trainHeadsComparison(3, { ...opts, epochs: 2, lossWeights: [0.8, 0.2] });
    const plain = trainHeadsComparison(3, { ...opts, epochs: 2 });
    expect(weighted.Proposed.epochLosses[0]).not.toBe(plain.Proposed.epochLosses[0]);
    expect(weighted['2M']).toEqual(plain['2M']); // only Proposed's loss is weighted
  });

  it('rejects labels that do not match the features', () => {
    const bad = { ...opts, labels: { train: { item: [0], colour: [0] }, test: test.labels } };
    expect(() => trainHeadsComparison(1, bad)).toThrow(/labels.train.item must have 200 entries/);
  });
});

describe('tables', () => {
  it('masked accuracies count hits on the selected examples only', () => {
    const truth = { item: [0, 1, 2, 0], colour: [1, 1, 0, 0] };
    const pred = { item: [0, 1, 0, 0], colour: [1, 0, 0, 0] };
    expect(maskedAccuracies(pred, truth, [true, true, true, false])).toEqual({
      item: 200 / 3,
      colour: 200 / 3,
      pair: 100 / 3,
    });
    expect(maskedAccuracies(pred, truth, [false, false, false, true])).toEqual({ item: 100, colour: 100, pair: 100 });
    expect(() => maskedAccuracies(pred, truth, [false, false, false, false])).toThrow(/selects no example/);
  });

  it('per-seed rows: one row per approach and seed', () => {
    const rows = perSeedRows([
      {
        seed: 0,
        rows: [
          { approach: 'A', acc: 90 },
          { approach: 'B', acc: 80 },
        ],
      },
      {
        seed: 1,
        rows: [
          { approach: 'A', acc: 92 },
          { approach: 'B', acc: 80 },
        ],
      },
    ]);
    expect(rows[1]).toEqual({ approach: 'B', seed: 0, acc: 80 });
  });

  it('per-image outcomes: intervals inside [0, 100] %, paired differences over the same images and seeds', () => {
    // Hand case: 4 test images, the last of an unseen combination; two seeds.
    const truth = { item: [0, 1, 2, 0], colour: [1, 1, 0, 0] };
    const seen = [true, true, true, false];
    const run = (item: number[], colour: number[]) => ({
      predictions: { item, colour },
      seenLoss: [0.5, 0.25],
      epochLosses: [],
    });
    const runs = [
      { A: run([0, 1, 2, 0], [1, 1, 0, 0]), B: run([0, 1, 0, 0], [1, 0, 0, 0]) },
      { A: run([0, 1, 2, 0], [1, 1, 1, 0]), B: run([0, 1, 0, 0], [1, 0, 0, 1]) },
    ];
    expect(correctnessGrid(runs, 'A', truth, seen, 'seen', 'colour')).toEqual([
      [1, 1, 1],
      [1, 1, 0],
    ]);
    expect(correctnessGrid(runs, 'B', truth, seen, 'seen', 'pair')).toEqual([
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(correctnessGrid(runs, 'B', truth, seen, 'unseen', 'pair')).toEqual([[1], [0]]);
    const { rows, intervals } = accuracyIntervalRows(runs, truth, seen, 'seen');
    // 6 of 6 right: the bootstrap collapses to a point, the Wilson bound 6 / (6 + z²) = 0.610 does not.
    expect(intervals.A.item).toMatchObject({ estimate: 1, high: 1 });
    expect(intervals.A.item.low).toBeCloseTo(6 / (6 + 1.959963984540054 ** 2), 12);
    expect(intervals.B.pair.estimate).toBeCloseTo(1 / 3, 12);
    for (const i of Object.values(intervals).flatMap((m) => Object.values(m))) {
      expect(i.low).toBeGreaterThanOrEqual(0);
      expect(i.high).toBeLessThanOrEqual(1);
    }
    expect(rows[0]).toMatchObject({ approach: 'A', seeds: 2, images: 3, 'item acc (%)': '100.0 [61.0, 100.0]' });
    expect(rows[0]['item loss']).toBe('0.500 (0.500–0.500)');
    const { rows: diff, differences } = compareApproaches(runs, truth, seen, 'seen', [
      { a: 'A', b: 'B', metric: 'item' },
    ]);
    expect(differences[0].estimate).toBeCloseTo(1 / 3, 12); // A right on image 3 in both seeds, B never
    expect(diff[0]).toMatchObject({ comparison: 'A − B', accuracy: 'item' });
    expect(() => correctnessGrid(runs, 'C', truth, seen, 'seen', 'item')).toThrow(
      "correctnessGrid: argument 'approach' expected one of A, B in every seed but got 'C'",
    );
    expect(() => correctnessGrid(runs, 'A', truth, seen, 'seen', 'size')).toThrow(
      "correctnessGrid: argument 'metric' expected 'pair' or one of item, colour but got 'size'",
    );
  });

  it('dataset counts per class and split (danfojs groupby), 0 where a class is absent', () => {
    const names = { item: ['shirt', 'bag'], colour: ['red', 'blue'] };
    const records = [
      ...labelRecords('train', { item: [0, 0, 1], colour: [0, 1, 0] }, names),
      ...labelRecords('test', { item: [0, 0], colour: [1, 1] }, names, [true, false]),
    ];
    expect(records[4]).toEqual({ split: 'test', item: 'shirt', colour: 'blue', combination: 'unseen' });
    expect(countTable(records, 'item')).toEqual([
      { item: 'shirt', train: 2, test: 2 },
      { item: 'bag', train: 1, test: 0 },
    ]);
    expect(countTable(records, 'colour')).toEqual([
      { colour: 'red', train: 2, test: 0 },
      { colour: 'blue', train: 1, test: 2 },
    ]);
  });

  it("the paper's Tables I–III: ratios from its own numbers, HC's 105 classes, its inconsistencies", () => {
    expect(paperRatioText('HC', 'trained-layer MACCs')).toBe('0.99 / 0.53 / 0.53 (AlexNet / GoogleNet / SqueezeNet)');
    expect(paperRatioText('2M', 'size')).toBe('0.50 / 0.43 / 0.51 (AlexNet / GoogleNet / SqueezeNet)');
    expect(ODETOLA_TABLES.GoogleNet.trainedLayerMaccs.HC / 1024).toBe(105);
    const problems = paperInconsistencies();
    expect(problems.some((p) => p.startsWith('AlexNet HC: 445.2 MB for 20.33M parameters is 21.9 bytes'))).toBe(true);
    expect(problems).toContain(
      'GoogleNet HC: 107520 trained-layer MACCs = 1024 × 105 classes; the text says HC has 108',
    );
    expect(problems.some((p) => p.startsWith('SqueezeNet'))).toBe(false); // 3.9–4.0 bytes per parameter
  });
});

describe('costs', () => {
  const bb = buildBackbone({ seed: 1 });
  bb.trainable = false;
  const cats = [
    { name: 'item', classes: 10 },
    { name: 'colour', classes: 8 },
  ];

  it('heads only: Proposed and 2M train the same MACCs, HC J/ΣC times as many; dispose frees all', () => {
    const before = tf.memory().numTensors;
    const P = buildProposedModel(bb, cats, { hidden: 0, seed: 1 });
    const M = buildSeparateModels(bb, cats, { hidden: 0, seed: 2 });
    const H = buildJointModel(bb, 27, { hidden: 0, seed: 3 });
    const trained = (m: tf.LayersModel | tf.LayersModel[]) => countMaccs(m).trainedLayerMaccs;
    expect(trained(P.model)).toBe(784 * 18);
    expect(trained(M.map((m) => m.model))).toBe(784 * 18);
    expect(trained(H.model) / trained(P.model)).toBeCloseTo(27 / 18, 12);
    [P, ...M, H].forEach(disposeHeadedModel);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the analytic cost equals the counted MACCs, and the curve falls towards 1/n', async () => {
    const base = { backboneMaccs: countMaccs(bb).maccs, backboneParams: bb.countParams(), featureDim: 784 };
    for (const hidden of [0, 16]) {
      const P = buildProposedModel(bb, cats, { hidden, seed: 1 });
      const M = buildSeparateModels(bb, cats, { hidden, seed: 2 });
      const a = analyticCost({ ...base, hidden, classes: [10, 8] });
      expect(a.proposed.maccs).toBe(countMaccs(P.model).maccs);
      expect(a.separate.maccs).toBe(countMaccs(M.map((m) => m.model)).maccs);
      expect(a.proposed.params).toBe(P.model.countParams());
      expect(a.separate.params).toBe(M.reduce((s, m) => s + m.model.countParams(), 0));
      [P, ...M].forEach(disposeHeadedModel);
    }
    const before = tf.memory().numTensors;
    const curve = await costRatioCurve(bb, { classes: [10, 8, 3], hidden: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(curve.n).toEqual([1, 2, 3]);
    curve.measuredMaccs.forEach((m, i) => expect(m).toBeCloseTo(curve.analyticMaccs[i], 12));
    expect(curve.measuredMaccs[0]).toBe(1);
    expect(curve.measuredMaccs[2]).toBeLessThan(curve.measuredMaccs[1]);
    expect(curve.measuredBytes[2]).toBeLessThan(curve.measuredBytes[1]);
  });
});
