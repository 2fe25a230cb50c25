/**
 * Notebook 08's multimodal models: the cross-modal encoder's composed backward against tfjs
 * autodiff, whole-model gradients (pre-training, emotion, late-fusion BiGRU) against centred
 * differences of their losses, the exact removal of a modality by a zero weight, the scaled Noam
 * schedule, one training step of each model without leaks, and the corpus and checkpoint loaders'
 * failure modes. (The GRU and transformer-block backwards are checked in gru.test.ts and
 * transformerBlock.test.ts.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng, noamSchedule, tf, transformerWarmup } from '../lib';
import { DatasetError } from '../lib/data/datasetError';
import { MultimodalUtterance, loadMultimodalEmotion, loadMultimodalTour } from '../lib/data/multimodalEmotion';
import {
  multimodalAudioStats,
  buildMultimodalVocab,
  disposeMultimodalBatch,
  makeMultimodalBatch,
} from '../lib/models/multimodal/batch';
import { loadMultimodalCheckpoint, saveMultimodalCheckpoint } from '../lib/models/multimodal/checkpoint';
import {
  compareEmotionGains,
  compareEmotionModels,
  emotionInterval,
  EmotionRun,
  labelledSubset,
  selectOnDev,
} from '../lib/models/multimodal/experiments';
import { averageEmotionMetric } from '../lib/models/multimodal/training';
import {
  EQUAL_WEIGHTS,
  CrossModalEncoderConfig,
  MultimodalParams,
  PRETRAIN_WEIGHTS,
  crossModalEncoderBackward,
  crossModalEncoderForward,
  disposeEncoderCache,
} from '../lib/models/multimodal/crossModalEncoder';
import { ABLATION_CONDITIONS } from '../lib/models/multimodal/experiments';
import {
  LateFusionConfig,
  initLateFusionGru,
  lateFusionLoss,
  lateFusionProbabilities,
} from '../lib/models/multimodal/lateFusionGru';
import { disposeMultimodalModel } from '../lib/models/multimodal/pretraining';
import { KHARE_EMOTIONS, KHARE_TABLE_1, KHARE_TABLE_2, khareTableRows } from '../lib/models/multimodal/kharePaper';
import { trainEmotionTransformer, trainLateFusion, trainPretrain } from '../lib/models/multimodal/training';
import {
  PAPER_PRETRAIN_TASKS,
  emotionLoss,
  initEmotionModel,
  initPretrainModel,
  pretrainLoss,
} from '../lib/models/multimodal/transformer';
import { copyDataset, expectNoLeak, replaceListed } from './helpers';

const pre = loadMultimodalEmotion({ split: 'pretrain', limit: 6 }).utterances;
const train = loadMultimodalEmotion({ split: 'train', limit: 8 }).utterances;
/** Short utterances keep the checks fast: the first 8 frames of each. */
const short = (u: MultimodalUtterance): MultimodalUtterance => ({
  ...u,
  audio: { ...u.audio, rows: 8, data: u.audio.data.slice(0, 8 * 200) },
  visual: { ...u.visual, rows: 8, data: u.visual.data.slice(0, 8 * 32) },
});
const ctx = { vocab: buildMultimodalVocab([...pre, ...train].map((u) => u.text)), stats: multimodalAudioStats(pre) };
const cfg: CrossModalEncoderConfig = {
  E: 8,
  heads: 2,
  F: 16,
  layers: 1,
  dropout: 0,
  audioDim: 200,
  visualDim: 32,
  words: ctx.vocab.words.length,
};
const gruCfg: LateFusionConfig = {
  hidden: 4,
  wordDim: 4,
  fusion: 6,
  audioDim: 200,
  visualDim: 32,
  words: ctx.vocab.words.length,
};

/** Centred difference of `loss` along the largest-gradient entry of each named parameter, against that gradient. */
function expectLossGradients(
  p: MultimodalParams,
  grads: Record<string, tf.Tensor>,
  names: string[],
  loss: () => number,
): void {
  for (const name of names) {
    const g = grads[name].dataSync();
    let at = 0;
    g.forEach((v, i) => (Math.abs(v) > Math.abs(g[at]) ? (at = i) : 0));
    const values = p[name].dataSync().slice();
    const lossAt = (delta: number): number => {
      const moved = values.slice();
      moved[at] += delta;
      p[name].assign(tf.tensor(moved, p[name].shape));
      return loss();
    };
    const eps = 1e-2;
    const numeric = (lossAt(eps) - lossAt(-eps)) / (2 * eps);
    p[name].assign(tf.tensor(values, p[name].shape));
    expect(Math.abs(numeric - g[at]), `${name}[${at}]: numeric ${numeric}, hand ${g[at]}`).toBeLessThan(
      0.03 * Math.abs(g[at]) + 2e-3,
    );
  }
}

describe('cross-modal encoder', () => {
  it('its composed backward matches tfjs autodiff of the same forward', () => {
    const p = initEmotionModel(cfg, new Rng(1));
    const batch = makeMultimodalBatch(train.slice(0, 3).map(short), ctx.vocab, ctx.stats);
    const dout = tf.randomNormal([3, 8, 8], 0, 1, 'float32', 2);
    const fwd = crossModalEncoderForward(p, batch, {
      cfg,
      weights: { audio: 0.5, visual: 0.3, text: 0.2 },
      training: false,
    });
    const hand = crossModalEncoderBackward(dout, fwd.cache);
    const names = Object.keys(hand);
    const { grads: auto } = tf.variableGrads(
      () => {
        const r = crossModalEncoderForward(p, batch, {
          cfg,
          weights: { audio: 0.5, visual: 0.3, text: 0.2 },
          training: false,
        });
        disposeEncoderCache(r.cache);
        return tf.sum(tf.mul(r.joint, dout)) as tf.Scalar;
      },
      names.map((n) => p[n]),
    );
    expect(names.length).toBe(Object.keys(p).length - 2); // every encoder parameter (not the emotion head)
    for (const n of names) {
      const a = auto[p[n].name];
      // (the key bias's true gradient is 0 — a constant added to every score of a row —
      // so compare in absolute terms too)
      const [diff, size] = tf.tidy(() => [tf.norm(tf.sub(hand[n], a)).dataSync()[0], tf.norm(a).dataSync()[0]]);
      expect(diff, n).toBeLessThan(1e-4 * size + 1e-6);
    }
    tf.dispose([
      fwd.joint,
      fwd.textAttention!,
      fwd.visualAttention!,
      dout,
      ...Object.values(hand),
      ...Object.values(auto),
    ]);
    disposeMultimodalBatch(batch);
    disposeMultimodalModel(p);
  });

  it(
    'a zero weight removes a modality exactly: ' + 'its input cannot change the output, its parameters get no gradient',
    () => {
      const p = initEmotionModel(cfg, new Rng(3));
      const utts = train.slice(0, 4).map(short);
      const otherWords = utts.map((u, i) => ({ ...u, text: utts[(i + 1) % 4].text }));
      const otherFaces = utts.map((u, i) => ({ ...u, visual: utts[(i + 2) % 4].visual }));
      const joint = (us: MultimodalUtterance[], w: typeof EQUAL_WEIGHTS): Float32Array => {
        const b = makeMultimodalBatch(us, ctx.vocab, ctx.stats);
        const r = crossModalEncoderForward(p, b, { cfg, weights: w, training: false });
        const out = r.joint.dataSync() as Float32Array;
        disposeEncoderCache(r.cache);
        tf.dispose([r.joint, r.textAttention, r.visualAttention].filter((t) => t !== null) as tf.Tensor[]);
        disposeMultimodalBatch(b);
        return out;
      };
      const noText = { audio: 1 / 3, visual: 1 / 3, text: 0 },
        noFace = { audio: 1 / 3, visual: 0, text: 1 / 3 };
      expect(joint(otherWords, noText)).toEqual(joint(utts, noText));
      expect(joint(otherFaces, noFace)).toEqual(joint(utts, noFace));
      expect(joint(otherWords, EQUAL_WEIGHTS)).not.toEqual(joint(utts, EQUAL_WEIGHTS));
      expect(joint(otherFaces, EQUAL_WEIGHTS)).not.toEqual(joint(utts, EQUAL_WEIGHTS));
      const b = makeMultimodalBatch(utts, ctx.vocab, ctx.stats);
      const r = crossModalEncoderForward(p, b, { cfg, weights: noText, training: false });
      expect(r.textAttention).toBeNull();
      const grads = crossModalEncoderBackward(tf.onesLike(r.joint), r.cache);
      expect(Object.keys(grads).some((k) => k.startsWith('crossText') || k === 'textEmbed.W')).toBe(false);
      expect(Object.keys(grads).some((k) => k.startsWith('crossVisual'))).toBe(true);
      tf.dispose([r.joint, r.visualAttention!, ...Object.values(grads)]);
      disposeMultimodalBatch(b);
      // the BiGRU baseline: a zero weight removes the modality's representation exactly too
      const g = initLateFusionGru(gruCfg, new Rng(4));
      const probs = (us: MultimodalUtterance[]): number[][] => {
        const bb = makeMultimodalBatch(us, ctx.vocab, ctx.stats);
        const out = lateFusionProbabilities(g, bb, gruCfg, ABLATION_CONDITIONS['A+V']);
        disposeMultimodalBatch(bb);
        return out;
      };
      expect(probs(otherWords)).toEqual(probs(utts));
      disposeMultimodalModel(g);
      disposeMultimodalModel(p);
    },
  );
});

describe('whole-model gradients against centred differences of the loss', () => {
  const utts = train.slice(0, 4).map(short);
  it('pre-training (ASR 0.8 + speaker 0.2) and emotion losses', () => {
    const p = initPretrainModel(cfg, { chars: ctx.vocab.chars.length, speakers: 26 }, new Rng(5));
    const b = makeMultimodalBatch(utts, ctx.vocab, ctx.stats);
    const rng = new Rng(0);
    const r = pretrainLoss(p, b, cfg, { tasks: PAPER_PRETRAIN_TASKS, weights: PRETRAIN_WEIGHTS, rng });
    expect(Object.keys(r.grads).sort()).toEqual(Object.keys(p).sort());
    expectLossGradients(
      p,
      r.grads,
      [
        'audioIn.W',
        'crossText.Wk',
        'crossVisual.W1',
        'audioSelf0.Wq',
        'decCross.Wv',
        'charOut.W',
        'speaker.W',
        'charEmbed.W',
      ],
      () => {
        const q = pretrainLoss(p, b, cfg, { tasks: PAPER_PRETRAIN_TASKS, weights: PRETRAIN_WEIGHTS, rng });
        tf.dispose(Object.values(q.grads));
        return q.loss;
      },
    );
    tf.dispose(Object.values(r.grads));
    const e = initEmotionModel(cfg, new Rng(6), p);
    const opts = { weights: EQUAL_WEIGHTS, posWeight: [1, 2, 3, 4, 5, 6], rng };
    const er = emotionLoss(e, b, cfg, opts);
    expectLossGradients(e, er.grads, ['emotion.W', 'textEmbed.W', 'visualIn.W', 'crossText.ln1Gamma'], () => {
      const q = emotionLoss(e, b, cfg, opts);
      tf.dispose(Object.values(q.grads));
      return q.loss;
    });
    tf.dispose(Object.values(er.grads));
    disposeMultimodalBatch(b);
    disposeMultimodalModel(p);
    disposeMultimodalModel(e);
  });

  it('late-fusion BiGRU loss (variable lengths, reversed within each length)', () => {
    const g = initLateFusionGru(gruCfg, new Rng(7));
    const mixed = train.slice(0, 3).map((u, i) => ({
      ...short(u),
      audio: { ...u.audio, rows: 5 + i, data: u.audio.data.slice(0, (5 + i) * 200) },
      visual: { ...u.visual, rows: 5 + i, data: u.visual.data.slice(0, (5 + i) * 32) },
    }));
    const b = makeMultimodalBatch(mixed, ctx.vocab, ctx.stats);
    const posWeight = [1, 2, 1, 3, 1, 2];
    const r = lateFusionLoss(g, b, gruCfg, posWeight);
    expect(Object.keys(r.grads).sort()).toEqual(Object.keys(g).sort());
    expectLossGradients(
      g,
      r.grads,
      ['gru.audio.l0.f.Wx', 'gru.audio.l0.b.Wh', 'gru.visual.l1.b.Wx', 'gru.text.l1.f.b', 'textEmbed.W', 'fusion1.W'],
      () => {
        const q = lateFusionLoss(g, b, gruCfg, posWeight);
        tf.dispose(Object.values(q.grads));
        return q.loss;
      },
    );
    tf.dispose(Object.values(r.grads));
    disposeMultimodalBatch(b);
    disposeMultimodalModel(g);
  });
});

describe('training', () => {
  it('the Noam schedule is the Transformer warm-up scaled to peak at peakLr at step warmup', () => {
    const s = noamSchedule({ dModel: 64, warmup: 10, peakLr: 2e-3 });
    const w = transformerWarmup({ dModel: 64, warmup: 10 });
    expect(s(10)).toBeCloseTo(2e-3, 12);
    expect(s(5) / s(10)).toBeCloseTo(0.5, 10); // linear warm-up
    expect(s(40) / s(10)).toBeCloseTo(0.5, 10); // then 1/√t
    expect(s(7) / w(7)).toBeCloseTo(2e-3 / w(10), 8);
    expect(() => noamSchedule({ dModel: 64, warmup: 10, peakLr: 0 })).toThrow(/noamSchedule: argument 'peakLr'/);
  });

  it('one training step of each model leaves no tensors behind', () => {
    const utts = train.slice(0, 4).map(short);
    const opts = { steps: 1, batchSize: 4, seed: 0, warmup: 1, peakLr: 1e-3, progress: false };
    const p = initPretrainModel(cfg, { chars: ctx.vocab.chars.length, speakers: 26 }, new Rng(8));
    expectNoLeak(
      () => void trainPretrain(p, utts, ctx, cfg, { ...opts, tasks: PAPER_PRETRAIN_TASKS, weights: PRETRAIN_WEIGHTS }),
      'trainPretrain',
    );
    const e = initEmotionModel(cfg, new Rng(9), p);
    const before = e['crossText.Wq'].dataSync().slice();
    expectNoLeak(
      () => void trainEmotionTransformer(e, utts, ctx, cfg, { ...opts, weights: EQUAL_WEIGHTS }),
      'trainEmotionTransformer',
    );
    expect(e['crossText.Wq'].dataSync()).not.toEqual(before);
    const g = initLateFusionGru(gruCfg, new Rng(10));
    expectNoLeak(() => void trainLateFusion(g, utts, ctx, gruCfg, opts), 'trainLateFusion');
    [p, e, g].forEach(disposeMultimodalModel);
  });
});

describe("the paper's tables", () => {
  it("as transcribed: each row's average is the mean of its six emotions (to the paper's rounding)", () => {
    for (const table of [KHARE_TABLE_1, KHARE_TABLE_2])
      for (const [model, row] of Object.entries(table))
        for (const k of [0, 1] as const) {
          const mean = KHARE_EMOTIONS.slice(0, 6).reduce((s, e) => s + row[e][k], 0) / 6;
          expect(Math.abs(mean - row.Average[k]), `${model} ${k ? 'F1' : 'WA'}`).toBeLessThanOrEqual(0.11);
        }
    expect(khareTableRows(KHARE_TABLE_2)[1]).toMatchObject({
      model: 'Embeddings from the Multi-task model',
      'Average WA': 67.1,
    });
  });
});

describe('emotion scoring as the paper selects and as the design pairs', () => {
  // 4 test utterances, 2 emotions; truth and hand-made decisions of two runs per model.
  const truth = [
    [1, 0],
    [1, 1],
    [0, 0],
    [0, 1],
  ];
  const run = (devWa: number, devF1w: number, right: number[][]) =>
    ({
      'A+V+T dev avg WA': devWa,
      'A+V+T dev avg F1w': devF1w,
      'A+V+T avg WA': 0,
      losses: [],
      decisions: { 'A+V+T': { WA: right, F1w: right, F1: right } },
    }) as unknown as EmotionRun;
  const wrong = truth.map((r) => r.map((x) => 1 - x));

  it('weighted F1 averaged over emotions, on resampled utterances; the selected run has the best dev mean', () => {
    expect(averageEmotionMetric(truth, truth, 'F1w')).toBe(1);
    expect(averageEmotionMetric(wrong, truth, 'F1w')).toBe(0);
    // emotion 0 on items [0, 0, 2]: TP 2, TN 1 → F1w 1; emotion 1: TN 3 → F1₋ 1, no positives → 1
    expect(averageEmotionMetric(truth, truth, 'F1', [0, 0, 2])).toBe(0.5); // emotion 1 has no positive: F1₊ 0
    const runs = [
      { seed: 0, result: run(0.9, 0.5, truth) }, // dev mean 0.70
      { seed: 1, result: run(0.6, 0.9, wrong) }, // dev mean 0.75: selected, though its WA is lower
    ];
    expect(selectOnDev(runs, 'A+V+T').seed).toBe(1);
    expect(() => selectOnDev(runs, 'A')).toThrow("selectOnDev: argument 'condition' expected a condition every run");
  });

  it('label fractions: nested subsets of one seeded shuffle, ⌈f·N⌉ long, the same for every model of a seed', () => {
    const train = loadMultimodalEmotion({ split: 'train', limit: 40 }).utterances;
    const ids = (f: number, seed: number) => labelledSubset(train, f, seed).map((u) => u.id);
    expect(ids(0.1, 3)).toHaveLength(4);
    expect(ids(0.25, 3)).toHaveLength(10);
    expect(ids(0.25, 3).slice(0, 4)).toEqual(ids(0.1, 3));
    expect(ids(0.25, 3)).toEqual(ids(0.25, 3));
    expect(ids(0.25, 4)).not.toEqual(ids(0.25, 3));
    expect(new Set(ids(0.25, 3)).size).toBe(10);
    expect(ids(1, 3)).toEqual(train.map((u) => u.id));
    expect(() => labelledSubset(train, 0, 1)).toThrow(
      "labelledSubset: argument 'fraction' expected a number in (0, 1]",
    );
    expect(() => labelledSubset(train, 1.5, 1)).toThrow("labelledSubset: argument 'fraction'");
  });

  it('intervals stay in [0, 1]; identical models tie, a better one is separated on the same utterances', () => {
    const perfect = [0, 1].map((seed) => ({ seed, result: run(0.5, 0.5, truth) }));
    const worse = [0, 1].map((seed) => ({ seed, result: run(0.5, 0.5, seed ? truth : wrong) }));
    const i = emotionInterval(worse, truth, 'A+V+T', 'WA');
    expect(i.estimate).toBe(0.5);
    expect(i.low).toBeGreaterThanOrEqual(0);
    expect(i.high).toBeLessThanOrEqual(1);
    const tie = compareEmotionModels(perfect, perfect, truth, 'A+V+T', 'F1w');
    expect([tie.estimate, tie.low, tie.high]).toEqual([0, 0, 0]);
    const d = compareEmotionModels(perfect, worse, truth, 'A+V+T', 'WA');
    expect(d.estimate).toBe(0.5);
    expect(d.low).toBeGreaterThanOrEqual(0);
    // A gains 0.5 over B with few labels (perfect vs worse) and nothing with all (perfect vs perfect).
    const gains = compareEmotionGains({ a: perfect, b: worse }, { a: perfect, b: perfect }, truth, 'A+V+T', 'WA');
    expect(gains.estimate).toBe(0.5);
    expect(gains.low).toBeGreaterThanOrEqual(0);
    const none = compareEmotionGains({ a: perfect, b: worse }, { a: perfect, b: worse }, truth, 'A+V+T', 'WA');
    expect([none.estimate, none.low, none.high]).toEqual([0, 0, 0]);
    expect(() => compareEmotionGains({ a: perfect, b: worse }, { a: perfect, b: [] }, truth, 'A+V+T', 'WA')).toThrow(
      "arguments 'first' and 'second' expected { a, b } runs over the same seeds but got 2, 2, 2, 0",
    );
    expect(() => compareEmotionModels(perfect, worse, truth.slice(1), 'A+V+T', 'WA')).toThrow(
      "compareEmotionModels: argument 'truth' expected the test targets",
    );
  });
});

describe('resumable pre-training', () => {
  it('stopped after 2 of 4 steps and resumed, it ends with the weights and curves of an uninterrupted run', () => {
    const utts = train.slice(0, 8).map(short);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multimodal-resume-'));
    const withDropout = { ...cfg, dropout: 0.1 }; // so the dropout generator's stream must resume too
    const run = (state?: { dir: string }, stopAfter = Infinity) => {
      const p = initPretrainModel(withDropout, { chars: ctx.vocab.chars.length, speakers: 26 }, new Rng(8));
      let calls = 0;
      const h = trainPretrain(p, utts, ctx, withDropout, {
        steps: 4,
        batchSize: 2,
        seed: 3,
        warmup: 2,
        peakLr: 1e-3,
        progress: false,
        tasks: PAPER_PRETRAIN_TASKS,
        weights: PRETRAIN_WEIGHTS,
        state: state && { ...state, everyMinutes: 0 },
        shouldStop: () => ++calls >= stopAfter,
      });
      return { p, h };
    };
    const whole = run();
    const first = run({ dir }, 2);
    expect([first.h.finished, first.h.losses.length]).toEqual([false, 2]);
    const resumed = run({ dir });
    expect(resumed.h.finished).toBe(true);
    expect(resumed.h.losses).toEqual(whole.h.losses);
    expect(resumed.h.asrLosses).toEqual(whole.h.asrLosses);
    for (const [name, v] of Object.entries(whole.p))
      expect(Array.from(resumed.p[name].dataSync()), name).toEqual(Array.from(v.dataSync()));
    [whole.p, first.p, resumed.p].forEach(disposeMultimodalModel);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('loaders', () => {
  it('loads the corpus: stacked audio, one face per frame, Likert labels in labelled splits only', () => {
    expect(pre[0].audio.cols).toBe(200);
    expect(pre[0].visual.rows).toBe(pre[0].audio.rows);
    expect(pre[0].labels).toBeUndefined();
    expect(train[0].labels!.every((l) => l >= 0 && l <= 3)).toBe(true);
    const tour = loadMultimodalTour();
    expect(tour[0].frames.length).toBe(tour[0].frameCount * 32 * 32 * 3);
    expect(() => loadMultimodalEmotion({ split: 'validation' as never })).toThrow(
      /split must be one of pretrain, train, dev, test/,
    );
  });

  it('a damaged file fails with a DatasetError naming it: checksum, format, shape', () => {
    const dir = copyDataset('multimodal-emotion');
    const file = path.join(dir, 'visual.idx2-ubyte.gz');
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[100] ^= 1;
    fs.writeFileSync(file, flipped);
    expect(() => loadMultimodalEmotion({ split: 'train', dir })).toThrow(DatasetError);
    expect(() => loadMultimodalEmotion({ split: 'train', dir })).toThrow(/visual\.idx2-ubyte\.gz: checksum mismatch/);
    fs.writeFileSync(file, good);

    replaceListed(dir, 'visual.idx2-ubyte.gz', Buffer.from('not gzip at all'));
    expect(() => loadMultimodalEmotion({ split: 'train', dir })).toThrow(
      /visual\.idx2-ubyte\.gz: wrong format: not a complete gzip stream/,
    );
    replaceListed(dir, 'visual.idx2-ubyte.gz', good);
    const zlib = require('zlib') as typeof import('zlib');
    const records = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'utterances.json.gz'))).toString());
    records.splits.train[0].labels = [0, 1, 2, 3, 4, 0];
    replaceListed(dir, 'utterances.json.gz', zlib.gzipSync(Buffer.from(JSON.stringify(records))));
    expect(() => loadMultimodalEmotion({ split: 'train', dir })).toThrow(
      /utterances\.json\.gz: wrong format: split 'train' record 0 \(train-0000\) must have six Likert labels 0–3/,
    );
  });

  it('a checkpoint round-trips, and a truncated or altered weights file is refused', () => {
    const p = initEmotionModel(cfg, new Rng(11));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-ckpt-'));
    saveMultimodalCheckpoint(dir, p, {
      config: cfg,
      vocab: ctx.vocab,
      stats: { mean: [], std: [] },
      speakers: 26,
      training: {},
    });
    const loaded = loadMultimodalCheckpoint(dir);
    expect(loaded.params['crossText.Wq'].dataSync()).toEqual(p['crossText.Wq'].dataSync());
    disposeMultimodalModel(loaded.params);
    const w = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(w);
    fs.writeFileSync(w, bytes.subarray(0, 100));
    expect(() => loadMultimodalCheckpoint(dir)).toThrow(/weights\.bin: truncated: 100 bytes/);
    bytes[7] ^= 1;
    fs.writeFileSync(w, bytes);
    expect(() => loadMultimodalCheckpoint(dir)).toThrow(/weights\.bin: checksum mismatch/);
    fs.rmSync(dir, { recursive: true, force: true });
    disposeMultimodalModel(p);
  });
});
