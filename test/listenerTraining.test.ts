import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng, tf } from '../lib';
import { specAugment } from '../lib/audio/specAugment';
import { ctcMinFrames, latticeFitByStride, latticeRoom } from '../lib/models/listener/latticeRoom';
import { initSpeechRecognizer } from '../lib/models/listener/recognizer';
import { trainSpeechRecognizer } from '../lib/models/listener/training';
import { toyCtcUtterances } from './helpers';

describe('CTC lattice room', () => {
  it('counts a blank between repeated labels, and divides the output frames by it', () => {
    expect(ctcMinFrames([])).toBe(0);
    expect(ctcMinFrames([3, 4, 5])).toBe(3);
    expect(ctcMinFrames([3, 3, 3, 4, 4])).toBe(8); // "aaabb": 5 labels, 3 repeats
    expect(latticeRoom([1, 2, 2, 3], 10)).toBe(2); // needs 5
    expect(latticeRoom([], 4)).toBe(Infinity);
    expect(() => latticeRoom([1], -1)).toThrow("latticeRoom: argument 'outputFrames'");
  });

  it('compares strides: output frames follow the conv arithmetic, shares count utterances', () => {
    const config = { featureDim: 40, vocabSize: 29, convKernel: 5 };
    // 100 frames → T' = ⌊(100 + 4 − 5)/s⌋ + 1 = 100, 50, 34; 20 labels without repeats
    const utts = [
      { frames: 100, labels: Array.from({ length: 20 }, (_, i) => 1 + (i % 2)) },
      { frames: 100, labels: Array.from({ length: 40 }, (_, i) => 1 + (i % 2)) },
    ];
    const [s1, s2, s3] = latticeFitByStride(utts, [1, 2, 3], config);
    expect([s1.minRoom, s2.minRoom, s3.minRoom]).toEqual([100 / 40, 50 / 40, 34 / 40]);
    expect(s3.fits).toBe(0.5);
    expect(s2.atLeast2).toBe(0.5);
    expect(s1.atLeast2).toBe(1);
    expect(s3.outputFps).toBeCloseTo(33.33, 2);
  });
});

describe('SpecAugment masking', () => {
  const frames = 50;
  const dim = 10;
  const x = Float32Array.from({ length: frames * dim }, (_, i) => 1 + i);

  it('is a function of its generator: the same seed masks the same cells, the input is untouched', () => {
    const a = specAugment(x, frames, dim, new Rng(3));
    const b = specAugment(x, frames, dim, new Rng(3));
    const c = specAugment(x, frames, dim, new Rng(4));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(x[0]).toBe(1);
  });

  it('masks whole frames and whole channels within the widths, nothing else', () => {
    for (let seed = 0; seed < 20; seed++) {
      const y = specAugment(x, frames, dim, new Rng(seed), { timeMasks: 1, freqMasks: 1, timeWidth: 5, freqWidth: 3 });
      const zeroFrames = [...Array(frames).keys()].filter((t) =>
        [...Array(dim).keys()].every((d) => y[t * dim + d] === 0),
      );
      const zeroChannels = [...Array(dim).keys()].filter((d) =>
        [...Array(frames).keys()].every((t) => y[t * dim + d] === 0),
      );
      expect(zeroFrames.length).toBeLessThanOrEqual(5);
      expect(zeroChannels.length).toBeLessThanOrEqual(3);
      for (let t = 0; t < frames; t++)
        for (let d = 0; d < dim; d++) {
          const masked = zeroFrames.includes(t) || zeroChannels.includes(d);
          expect(y[t * dim + d]).toBe(masked ? 0 : x[t * dim + d]);
        }
    }
    expect(() => specAugment(x, frames, dim + 1, new Rng(0))).toThrow("specAugment: argument 'features' expected");
  });
});

describe('listener training, resumed', () => {
  it('a run stopped and resumed (with augmentation) ends with the weights of an uninterrupted one', () => {
    const cfg = { featureDim: 3, vocabSize: 4, lstmLayers: 1, hidden: 6, convChannels: 6 };
    const data = toyCtcUtterances(48, 5);
    const opts = { steps: 12, batchSize: 8, lr: (s: number) => 0.02 * 0.9 ** s, seed: 3, progress: false as const };
    const augment = { timeMasks: 1, timeWidth: 3, freqMasks: 1, freqWidth: 1 };
    const run = (state?: { dir: string; everyMinutes: number }, maxSteps?: number) => {
      const params = initSpeechRecognizer(cfg, 2);
      const r = trainSpeechRecognizer(params, cfg, data, { ...opts, steps: maxSteps ?? opts.steps, augment, state });
      const weights = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v.dataSync())]));
      tf.dispose(Object.values(params));
      return { ...r, weights };
    };
    const straight = run();
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'listener-state-')), 'run');
    const before = tf.memory().numTensors;
    const first = run({ dir, everyMinutes: 0 }, 5); // the same schedule, stopped after step 5
    expect(first.losses).toEqual(straight.losses.slice(0, 5));
    const rest = run({ dir, everyMinutes: 0 });
    expect(rest.resumedAt).toBe(5);
    expect(rest.losses).toEqual(straight.losses.slice(5));
    expect(rest.weights).toEqual(straight.weights);
    expect(tf.memory().numTensors).toBe(before);
  });
});
