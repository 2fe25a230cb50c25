/**
 * Caption analysis for notebook 04: the caption parser against every sentence form of the
 * dataset grammar (and on the shipped reference captions, which must all score correct),
 * wrong captions caught per attribute, dataset counts per split, evaluateCaptioner,
 * attention on a named cell, exposure bias (the teacher-forced total equals the model's
 * loss), the whole-model gradient check (passes, and fails on a wrong gradient), the
 * attention overlay; no tensor leaks.
 */
import { describe, expect, it } from 'vitest';
import { tf, Rng, randn } from '../lib';
import { tokenizeCaption } from '../lib/data/captions';
import { SceneItem, loadFashionScenes } from '../lib/data/fashionScenes';
import { sceneObjectRows, countsPerSplit } from '../lib/data/sceneSummary';
import { attentionOverlay, attentionFrames, imagePixels } from '../lib/display/attentionOverlay';
import {
  parseCaption,
  scoreCaption,
  captionAccuracy,
  attentionOnCell,
  attentionOnNamedCells,
} from '../lib/models/captioning/analysis';
import { CaptioningRNN } from '../lib/models/captioning/captioningRnn';
import { evaluateCaptioner } from '../lib/models/captioning/evaluation';
import { exposureBias } from '../lib/models/captioning/exposureBias';
import { checkCaptioningGradients } from '../lib/models/captioning/gradientCheck';

const vocab = { colourNames: ['red', 'green', 'blue'], itemNames: ['top', 'bag', 'boot'] };
const words = (s: string): string[] => tokenizeCaption(s);
const scene = (...objs: [number, number, number][]): SceneItem[] =>
  objs.map(([colour, item, cell]) => ({ colour, item, cell }));

describe('parseCaption', () => {
  it('reads mentions and the claims of each sentence form', () => {
    expect(parseCaption(words('a red top in the top left'), vocab)).toEqual({
      mentions: [{ colour: 0, item: 0, colourAt: 1, itemAt: 2 }],
      claims: [{ kind: 'cell', m: 0, cell: 0 }],
    });
    expect(parseCaption(words('there is a blue bag in the bottom right corner'), vocab).claims).toEqual([
      { kind: 'cell', m: 0, cell: 3 },
    ]);
    expect(parseCaption(words('a red top at the top'), vocab).claims).toEqual([{ kind: 'row', m: 0, row: 0 }]);
    expect(parseCaption(words('a red bag on top of a green top'), vocab).claims).toEqual([
      { kind: 'above', upper: 0, lower: 1 },
    ]);
    expect(parseCaption(words('a red bag below a green top'), vocab).claims).toEqual([
      { kind: 'above', upper: 1, lower: 0 },
    ]);
    expect(parseCaption(words('a red bag to the right of a green top'), vocab).claims).toEqual([
      { kind: 'leftOf', left: 1, right: 0 },
    ]);
    expect(parseCaption(words('a red bag above a green top with a blue boot on the right'), vocab).claims).toHaveLength(
      3,
    );
    expect(parseCaption(words('three items : a red bag , a green top and a blue boot'), vocab).claims).toEqual([]);
    expect(parseCaption(words('a red bag next to'), vocab).claims).toBeNull();
  });

  it('keeps a colour without an item as a half mention', () => {
    const p = parseCaption(words('a red and a blue boot'), vocab);
    expect(p.mentions).toEqual([
      { colour: 0, item: null, colourAt: 1, itemAt: -1 },
      { colour: 2, item: 2, colourAt: 4, itemAt: 5 },
    ]);
  });
});

describe('scoreCaption', () => {
  const s = scene([0, 1, 0], [2, 2, 2]); // red bag top-left, blue boot bottom-left
  it('accepts a true caption and catches each kind of error', () => {
    expect(scoreCaption(words('a red bag above a blue boot'), s, vocab)).toMatchObject({
      correct: true,
      position: true,
      cellOf: [0, 2],
    });
    expect(scoreCaption(words('a blue boot above a red bag'), s, vocab)).toMatchObject({
      objects: true,
      position: false,
      correct: false,
    });
    expect(scoreCaption(words('a red bag and a blue boot'), s, vocab)).toMatchObject({
      correct: true,
      statesPosition: false,
      position: null,
    });
    expect(scoreCaption(words('a green bag above a blue boot'), s, vocab)).toMatchObject({
      items: true,
      colours: false,
      objects: false,
      correct: false,
    });
    expect(scoreCaption(words('a red boot above a blue boot'), s, vocab)).toMatchObject({
      items: false,
      colours: true,
      correct: false,
    });
    expect(scoreCaption(words('a red bag in the top left'), s, vocab)).toMatchObject({ count: false, correct: false });
  });

  it('scores every shipped reference caption of the test and novel splits correct', () => {
    for (const split of ['test', 'novel'] as const) {
      const d = loadFashionScenes({ split });
      const acc = captionAccuracy(d.captionTexts.map(tokenizeCaption), d.items, d);
      expect(acc.correct, split).toBe(1);
      expect(acc.positionJudged, split).toBeGreaterThan(100);
      tf.dispose([d.images, d.captions]);
    }
  });
});

describe('attention on the named cell', () => {
  it('sums the block of a cell and averages over colour and item words', () => {
    const map = Array.from({ length: 4 }, (_, r) => Array.from({ length: 4 }, (_, c) => (r >= 2 && c < 2 ? 0.25 : 0)));
    expect(attentionOnCell(map, 2)).toBeCloseTo(1, 6);
    expect(attentionOnCell(map, 1)).toBe(0);
    const uniform = map.map((r) => r.map(() => 1 / 16));
    const s = scene([0, 1, 2]);
    // "a red bag <END>": the colour word looks at cell 2, the item word uniformly.
    const a = attentionOnNamedCells([words('a red bag')], [[uniform, map, uniform, uniform]], [s], vocab);
    expect(a.colourWords).toBeCloseTo(1, 6);
    expect(a.itemWords).toBeCloseTo(0.25, 6);
    expect([a.colourCount, a.itemCount]).toEqual([1, 1]);
  });
});

function toyModel(cellType: 'rnn' | 'lstm' | 'attention'): {
  model: CaptioningRNN;
  features: tf.Tensor;
  captions: tf.Tensor;
} {
  const wordToIdx = Object.fromEntries(['<NULL>', '<START>', '<END>', '<UNK>', 'a', 'b', 'c'].map((w, i) => [w, i]));
  const model = new CaptioningRNN({ wordToIdx, inputDim: 5, wordvecDim: 4, hiddenDim: 6, cellType, seed: 2 });
  model.params.W_embed.assign(randn([7, 4], new Rng(5)));
  const features = randn(cellType === 'attention' ? [3, 5, 2, 2] : [3, 5], new Rng(1));
  const captions = tf.tensor2d(
    [
      [1, 4, 5, 6, 2],
      [1, 6, 2, 0, 0],
      [1, 5, 4, 2, 0],
    ],
    [3, 5],
    'int32',
  );
  return { model, features, captions };
}

describe('exposureBias', () => {
  for (const cellType of ['rnn', 'lstm', 'attention'] as const) {
    it(`${cellType}: teacher-forced total equals the model's loss; per-step bookkeeping`, () => {
      const { model, features, captions } = toyModel(cellType);
      const before = tf.memory().numTensors;
      const eb = exposureBias(model, features, captions);
      expect(tf.memory().numTensors).toBe(before);
      expect(eb.teacherForcedTotal).toBeCloseTo(model.evaluateLoss(features, captions), 4);
      expect(eb.tokens).toEqual([3, 3, 2, 1]);
      expect(eb.prefixIntact[0]).toBe(1);
      // Step 0 has the same prefix (<START>) in both runs.
      expect(eb.freeRunning[0]).toBeCloseTo(eb.teacherForced[0], 5);
      tf.dispose([features, captions]);
      model.dispose();
    });
  }
});

describe('checkCaptioningGradients', () => {
  for (const cellType of ['rnn', 'lstm', 'attention'] as const) {
    it(`${cellType}: every parameter within tolerance, parameters restored, no leaks`, () => {
      const { model, features, captions } = toyModel(cellType);
      const saved = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, Array.from(v.dataSync())]));
      const before = tf.memory().numTensors;
      const errors = checkCaptioningGradients(model, features, captions);
      expect(tf.memory().numTensors).toBe(before);
      expect(Object.keys(errors).sort()).toEqual(Object.keys(model.params).sort());
      for (const [k, v] of Object.entries(model.params)) expect(Array.from(v.dataSync()), k).toEqual(saved[k]);
      tf.dispose([features, captions]);
      model.dispose();
    });
  }

  it('throws, naming the parameter, when a gradient is wrong', () => {
    const { model, features, captions } = toyModel('lstm');
    const loss = model.loss.bind(model);
    model.loss = (f, c) => {
      const r = loss(f, c);
      const wrong = tf.mul(r.grads.Wh, 1.5);
      r.grads.Wh.dispose();
      return { loss: r.loss, grads: { ...r.grads, Wh: wrong } };
    };
    expect(() => checkCaptioningGradients(model, features, captions)).toThrow(/dWh \(relative error/);
    tf.dispose([features, captions]);
    model.dispose();
  });
});

describe('attention overlay', () => {
  it('lights the attended block, dims the rest; one frame per token', () => {
    const image = { pixels: new Float32Array(8 * 8 * 3).fill(100), height: 8, width: 8 };
    const map = [
      [1, 0],
      [0, 0],
    ];
    const out = attentionOverlay(image, map);
    expect(out[0]).toBeCloseTo(100 + 70, 4); // weight 1: s = 1
    expect(out[(7 * 8 + 7) * 3]).toBeCloseTo(100 * 0.15 + 70 * 0.15 ** 2, 4);
    expect(attentionFrames(image, [map, map], ['a', 'b']).map((f) => f.caption)).toEqual(['a', 'b']);
    expect(() =>
      attentionOverlay(image, [
        [1, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]),
    ).toThrow(/not divisible/);
    const images = tf.ones([2, 4, 4, 3]);
    expect(imagePixels(images, 1).pixels[0]).toBe(255);
    expect(() => imagePixels(images, 2)).toThrow(/'n'/);
    images.dispose();
  });
});

describe('scene summaries and evaluateCaptioner', () => {
  it('counts objects per split as a wide table', () => {
    const scenes = { items: [scene([0, 1, 0], [2, 1, 3]), scene([1, 0, 2])], ...vocab };
    const rows = [
      ...sceneObjectRows('train', scenes),
      ...sceneObjectRows('test', { ...scenes, items: [scene([0, 2, 1])] }),
    ];
    expect(rows[0]).toEqual({ split: 'train', item: 'bag', colour: 'red', cell: 'top left', objects: 2 });
    const wide = countsPerSplit(rows, 'item');
    const asRows = (wide.values as unknown[][]).map((v) => Object.fromEntries(wide.columns.map((c, i) => [c, v[i]])));
    expect(asRows).toEqual([
      { item: 'bag', train: 2, test: 0 },
      { item: 'top', train: 1, test: 0 },
      { item: 'boot', train: 0, test: 1 },
    ]);
  });

  it('evaluateCaptioner scores greedy captions (BLEU-1…4, accuracy, attention on the named cell)', () => {
    const { model, features } = toyModel('attention');
    const items = [scene([0, 0, 0]), scene([1, 1, 1]), scene([2, 2, 3])];
    const set = { features, captionTexts: ['a b', 'c', 'a'], items, ...vocab };
    const before = tf.memory().numTensors;
    const e = evaluateCaptioner(model, set, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(e.bleu).toHaveLength(4);
    expect(e.bleuAllPhrasings).toHaveLength(4);
    expect(e.accuracy.captions).toBe(3);
    expect(e.namedCell).not.toBeNull();
    expect(() => evaluateCaptioner(model, { ...set, captionTexts: ['a'] }, 4)).toThrow(/one entry per scene/);
    features.dispose();
    model.dispose();
  });
});
