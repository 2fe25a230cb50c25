/**
 * The hand-written Tacotron 2 backward (lib/models/tacotron2/backprop.ts and its parts) against
 * tfjs autodiff of the reference step (autodiffReference.ts) on a tiny config: the same loss
 * parts and every parameter's gradient, in each training mode, with and without frozen parts;
 * PyTorch float64 autograd and finite differences of the same equations (test/ref/tacotron.json,
 * made by scripts/fixtures/tacotron_ref.py); the new layers (1-D convolution, masked batch norm)
 * against autodiff; phone input; resumed training; no tensor leaks.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng, tf } from '../lib';
import { audioMatrix } from '../lib/audio/matrix';
import { loadSpeechSingle } from '../lib/data/speechSingle';
import { PHONE_ALPHABET, phonesToIds } from '../lib/data/speechText';
import { conv1dSameBackward, conv1dSameForward } from '../lib/layers/conv1d';
import { maskedBatchNormBackward, maskedBatchNormForward } from '../lib/layers/maskedBatchNorm';
import { tacotronAutodiffBackprop } from '../lib/models/tacotron2/autodiffReference';
import { tacotronBackprop } from '../lib/models/tacotron2/backprop';
import {
  TacotronBatch,
  disposeTacotronBatch,
  makeTacotronBatch,
  tacotronInputSymbols,
} from '../lib/models/tacotron2/batch';
import {
  Tacotron2,
  Tacotron2Config,
  cloneTacotron2,
  disposeTacotron2,
  initTacotron2,
  tacotronParamGroup,
} from '../lib/models/tacotron2/config';
import type { DecoderFeed } from '../lib/models/tacotron2/decoder';
import { teacherDecoderStates, trainTacotron } from '../lib/models/tacotron2/training';
import { TINY_TACOTRON as TINY, expectNoLeak, relError } from './helpers';

function tinyBatch(model: Tacotron2, seed: number): TacotronBatch {
  const rng = new Rng(seed);
  const items = ['a cat.', 'the dog sat', 'hi'].map((text) => {
    const T = 2 * text.length + 3;
    const mel = Float32Array.from({ length: T * 5 }, () => -1 + rng.normal());
    return { text, mel: audioMatrix(mel, T, 5) };
  });
  return makeTacotronBatch(items, model);
}

type Setting = { feed: DecoderFeed; frozen?: string[]; distil?: boolean };

const SETTINGS: Record<string, Setting> = {
  'teacher forcing': { feed: { kind: 'teacher' } },
  'free running': { feed: { kind: 'free' } },
  'scheduled sampling': { feed: { kind: 'sampled', ownProbability: 0.5 } },
  'distillation, encoder and attention frozen': {
    feed: { kind: 'free' },
    frozen: ['encoder', 'attention'],
    distil: true,
  },
};

/** Hand and autodiff gradients of one step from the same weights, batch and random draws. */
function bothBackwards(setting: Setting) {
  const model = initTacotron2(TINY, 3);
  const batch = tinyBatch(model, 5);
  const frozen = new Set(setting.frozen ?? []);
  const trainable = Object.keys(model.params).filter((n) => !frozen.has(tacotronParamGroup(n)));
  const teacher = setting.distil ? initTacotron2(TINY, 4) : null;
  const teacherStates = teacher ? teacherDecoderStates(teacher, batch, new Rng(9)) : undefined;
  const opts = (seed: number) => ({
    rng: new Rng(seed),
    trainable,
    encoderTraining: !frozen.has('encoder'),
    guide: 1,
    l2: 1e-3,
    lambda: setting.distil ? 2 : 0,
    teacherStates,
  });
  // Batch norm's running statistics move on each training forward: each backward gets its own copy.
  const twin = cloneTacotron2(model);
  const hand = tacotronBackprop(model, batch, setting.feed, opts(7));
  const auto = tacotronAutodiffBackprop(twin, batch, setting.feed, opts(7));
  const statsAgree = Object.keys(model.bnStats).every((k) => relError(model.bnStats[k], twin.bnStats[k]) < 1e-6);
  const cleanup = () => {
    tf.dispose([...Object.values(hand.grads), ...Object.values(auto.grads)]);
    disposeTacotronBatch(batch);
    teacherStates?.dispose();
    [model, twin, ...(teacher ? [teacher] : [])].forEach(disposeTacotron2);
  };
  return { hand, auto, trainable, statsAgree, cleanup };
}

describe('Tacotron 2: the hand-written backward against autodiff', () => {
  for (const [name, setting] of Object.entries(SETTINGS)) {
    it(`${name}: the same loss parts and every trainable parameter's gradient (relative error ≤ 1e-5)`, () => {
      const { hand, auto, trainable, statsAgree, cleanup } = bothBackwards(setting);
      try {
        for (const k of ['lossF', 'lossD', 'guide', 'total'] as const)
          expect(Math.abs(hand.parts[k] - auto.parts[k]), k).toBeLessThan(1e-5 * Math.max(1, Math.abs(auto.parts[k])));
        if (setting.distil) expect(hand.parts.lossD).toBeGreaterThan(0);
        expect(Object.keys(hand.grads).sort()).toEqual([...trainable].sort());
        for (const n of trainable) {
          expect(auto.grads[n], `autodiff gradient of ${n}`).toBeDefined();
          expect(relError(hand.grads[n], auto.grads[n]), n).toBeLessThan(1e-5);
        }
        expect(statsAgree, 'batch-norm running statistics').toBe(true);
      } finally {
        cleanup();
      }
    });
  }

  it('leaves no tensor behind beyond the gradients it returns', () => {
    const model = initTacotron2(TINY, 3);
    const batch = tinyBatch(model, 5);
    const trainable = Object.keys(model.params);
    for (const feed of [{ kind: 'teacher' }, { kind: 'free' }] as DecoderFeed[])
      expectNoLeak(
        () =>
          tacotronBackprop(model, batch, feed, {
            rng: new Rng(1),
            trainable,
            encoderTraining: true,
            guide: 1,
            l2: 1e-6,
            lambda: 0,
          }).grads,
        `tacotronBackprop (${feed.kind})`,
      );
    disposeTacotronBatch(batch);
    disposeTacotron2(model);
  });
});

describe('Tacotron 2: the hand-written backward against a float64 reference', () => {
  it('matches PyTorch float64 autograd of the same equations and its finite differences', () => {
    const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'tacotron.json'), 'utf8')) as {
      config: Tacotron2Config;
      l2: number;
      guide: number;
      texts: string[];
      mel: number[][][];
      params: Record<string, number[]>;
      loss: number;
      grads: Record<string, number[]>;
      numeric: { name: string; index: number[]; grad: number }[];
    };
    const model = initTacotron2(ref.config, 0);
    for (const [name, v] of Object.entries(model.params)) v.assign(tf.tensor(ref.params[name], v.shape));
    const items = ref.texts.map((text, n) => ({
      text,
      mel: audioMatrix(Float32Array.from(ref.mel[n].flat()), ref.mel[n].length, ref.config.melDims),
    }));
    const batch = makeTacotronBatch(items, model);
    const trainable = Object.keys(model.params);
    const { parts, grads } = tacotronBackprop(
      model,
      batch,
      { kind: 'teacher' },
      {
        rng: new Rng(1),
        trainable,
        encoderTraining: true,
        guide: ref.guide,
        l2: ref.l2,
        lambda: 0,
      },
    );
    expect(Math.abs(parts.total - ref.loss) / ref.loss).toBeLessThan(1e-5);
    for (const n of trainable) expect(relError(grads[n], ref.grads[n]), n).toBeLessThan(1e-4);
    for (const { name, index, grad } of ref.numeric) {
      const shape = model.params[name].shape;
      const flat = index.reduce((acc, k, d) => acc * shape[d] + k, 0);
      expect(Math.abs(grads[name].dataSync()[flat] - grad), `${name}[${index}]`).toBeLessThan(
        1e-3 * Math.abs(grad) + 1e-6,
      );
    }
    tf.dispose(Object.values(grads));
    disposeTacotronBatch(batch);
    disposeTacotron2(model);
  });
});

describe('phone input', () => {
  it("a phones model reads speech-single's phones; its gradients match autodiff; text alone is refused", () => {
    const model = initTacotron2({ ...TINY, symbols: 'phones', vocabSize: PHONE_ALPHABET.length }, 3);
    const items = loadSpeechSingle({ split: 'val', limit: 3 }).utterances.map((u) => ({
      text: u.text,
      phones: u.phones,
      mel: audioMatrix(
        u.mel.data.slice(0, 12 * 80).filter((_, k) => k % 80 < 5),
        12,
        5,
      ),
    }));
    const batch = makeTacotronBatch(items, model);
    expect(Array.from(batch.ids.dataSync()).slice(0, 3)).toEqual(phonesToIds(items[0].phones).slice(0, 3));
    expect(tacotronInputSymbols(model.config, items[0])).toEqual(items[0].phones.split(' '));
    expect(tacotronInputSymbols({ symbols: 'characters' }, items[0]).join('')).toEqual(items[0].text);
    const opts = { trainable: Object.keys(model.params), encoderTraining: true, guide: 1, l2: 0, lambda: 0 };
    const twin = cloneTacotron2(model);
    const hand = tacotronBackprop(model, batch, { kind: 'teacher' }, { ...opts, rng: new Rng(2) });
    const auto = tacotronAutodiffBackprop(twin, batch, { kind: 'teacher' }, { ...opts, rng: new Rng(2) });
    for (const n of opts.trainable) expect(relError(hand.grads[n], auto.grads[n]), n).toBeLessThan(1e-5);
    expect(() => makeTacotronBatch([{ text: 'a cat', mel: items[0].mel }], model)).toThrow(
      /a phones model needs each input's phones/,
    );
    expect(() => phonesToIds('pau k ae1 t xx')).toThrow(/"xx" at position 4, not a phone/);
    tf.dispose([...Object.values(hand.grads), ...Object.values(auto.grads)]);
    disposeTacotronBatch(batch);
    [model, twin].forEach(disposeTacotron2);
  });
});

describe('Tacotron 2 training, resumed', () => {
  it('a run stopped after 2 of 4 steps and resumed ends with the weights of an uninterrupted one', () => {
    const items = ['a cat.', 'the dog sat', 'hi', 'no, yes!', 'a b c', 'dogs'].map((text, i) => {
      const rng = new Rng(20 + i);
      const T = 2 * text.length + 3;
      return {
        text,
        mel: audioMatrix(
          Float32Array.from({ length: T * 5 }, () => rng.normal()),
          T,
          5,
        ),
      };
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tacotron-resume-'));
    /** Trains a fresh model towards step 4, stopping after `stopAfter` steps of this call. */
    const run = (stopAfter: number, state?: string) => {
      const model = initTacotron2(TINY, 1);
      let ran = 0;
      trainTacotron(model, items, {
        mode: 'scheduled-sampling',
        ownFrameProbability: () => 0.5,
        steps: 4,
        batchSize: 2,
        seed: 3,
        lr: 1e-2,
        progress: false,
        state: state ? { dir: state, everyMinutes: 0 } : undefined,
        shouldStop: () => ++ran >= stopAfter,
      });
      return model;
    };
    const straight = run(4);
    run(2, dir);
    const resumed = run(4, dir);
    for (const name of Object.keys(straight.params))
      expect(Array.from(resumed.params[name].dataSync()), name).toEqual(Array.from(straight.params[name].dataSync()));
    for (const name of Object.keys(straight.bnStats))
      expect(Array.from(resumed.bnStats[name].dataSync()), name).toEqual(Array.from(straight.bnStats[name].dataSync()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('layers the hand-written encoder and post-net are composed of', () => {
  const rng = new Rng(11);
  const rand = (shape: number[]) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()),
      shape,
    );

  it('conv1dSame: forward equals tf.conv1d, backward equals autodiff', () => {
    const [x, W, b, dout] = [rand([2, 7, 3]), rand([5, 3, 4]), rand([4]), rand([2, 7, 4])];
    const f = (x: tf.Tensor, W: tf.Tensor, b: tf.Tensor) =>
      tf.add(tf.conv1d(x as tf.Tensor3D, W as tf.Tensor3D, 1, 'same'), b);
    const { out, cache } = conv1dSameForward(x, W, b);
    expect(relError(out, f(x, W, b))).toBeLessThan(1e-6);
    const g = conv1dSameBackward(dout, cache);
    const auto = tf.grads((x, W, b) => tf.sum(tf.mul(f(x, W, b), dout)))([x, W, b]);
    expect(relError(g.dx, auto[0])).toBeLessThan(1e-5);
    expect(relError(g.dW, auto[1])).toBeLessThan(1e-5);
    expect(relError(g.db, auto[2])).toBeLessThan(1e-5);
  });

  it('maskedBatchNorm: statistics over the real positions only; backward equals autodiff', () => {
    const [x, gamma, beta, dout] = [rand([3, 5, 4]), rand([4]), rand([4]), rand([3, 5, 4])];
    const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0], [3, 5]);
    const m3 = tf.expandDims(mask, 2);
    const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      const n = tf.sum(mask);
      const mean = tf.div(tf.sum(tf.mul(x, m3), [0, 1]), n);
      const variance = tf.div(tf.sum(tf.mul(tf.square(tf.sub(x, mean)), m3), [0, 1]), n);
      return tf.mul(tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta), m3);
    };
    const bn = maskedBatchNormForward(x, mask, gamma, beta, null);
    expect(relError(tf.mul(bn.out, m3), f(x, gamma, beta))).toBeLessThan(1e-6);
    // Changing x at a padded position changes nothing.
    const poked = tf.add(x, tf.mul(tf.sub(1, m3), 100));
    expect(
      relError(tf.mul(maskedBatchNormForward(poked, mask, gamma, beta, null).out, m3), tf.mul(bn.out, m3)),
    ).toBeLessThan(1e-6);
    const maskedDout = tf.mul(dout, m3);
    const g = maskedBatchNormBackward(maskedDout, bn.cache);
    const auto = tf.grads((x, gamma, beta) => tf.sum(tf.mul(f(x, gamma, beta), dout)))([x, gamma, beta]);
    expect(relError(g.dx, auto[0])).toBeLessThan(1e-5);
    expect(relError(g.dgamma, auto[1])).toBeLessThan(1e-5);
    expect(relError(g.dbeta, auto[2])).toBeLessThan(1e-5);
  });
});
