/**
 * The CTC recognizer: its hand backward (conv → ReLU → BiLSTM with per-length reversal →
 * affine) against tfjs autodiff of the same forward and a float32 numeric gradient; padding
 * does not leak into valid outputs; training steps leak no tensors and reduce the loss.
 */
import { describe, expect, it } from 'vitest';
import { tf, numericGradient } from '../lib';
import {
  initSpeechRecognizer,
  speechRecognizerForward,
  speechRecognizerBackward,
  recognizerOutputLength,
} from '../lib/models/listener/recognizer';
import {
  greedyDecoder,
  recognizerLossAndGrads,
  trainSpeechRecognizer,
  recognize,
  recognizeEach,
} from '../lib/models/listener/training';
import { lengthBucketedBatches } from '../lib/train/lengthBuckets';
import { relError, toyCtcUtterances } from './helpers';

const config = { featureDim: 3, vocabSize: 4, convChannels: 5, convKernel: 3, subsample: 2, hidden: 4, lstmLayers: 2 };

describe('speech recognizer forward/backward', () => {
  it('output lengths follow the strided conv', () => {
    expect([1, 2, 3, 10, 11].map((t) => recognizerOutputLength(t, config))).toEqual([1, 1, 2, 5, 6]);
    expect(recognizerOutputLength(10, { ...config, convKernel: 5, subsample: 3 })).toBe(4);
  });

  it('hand backward matches autodiff (all parameters) and a numeric gradient, with unequal lengths', () => {
    const params = initSpeechRecognizer(config, 1);
    const x = tf.randomNormal([2, 7, 3], 0, 1, 'float32', 2);
    const lengths = [7, 4];
    const { logits, outLengths, cache } = speechRecognizerForward(params, config, x, lengths);
    expect(logits.shape).toEqual([2, 4, 4]);
    expect(outLengths).toEqual([4, 2]);
    const dout = tf.randomNormal(logits.shape, 0, 1, 'float32', 3);
    const grads = speechRecognizerBackward(dout, cache);
    const names = Object.keys(params);
    expect(Object.keys(grads).sort()).toEqual([...names].sort());
    const f = (...ps: tf.Tensor[]): tf.Scalar => {
      const p = Object.fromEntries(names.map((n, i) => [n, ps[i]])) as never;
      return tf.sum(tf.mul(speechRecognizerForward(p, config, x, lengths).logits, dout));
    };
    const auto = tf.grads(f)(names.map((n) => params[n]));
    names.forEach((n, i) => expect(relError(grads[n], auto[i]), `${n} vs autodiff`).toBeLessThan(1e-5));
    for (const n of ['convB', 'l0fwdb', 'l1bwdb', 'outB']) {
      const num = numericGradient(
        (w) => speechRecognizerForward({ ...params, [n]: w } as never, config, x, lengths).logits,
        params[n],
        dout,
        1e-3,
      );
      expect(relError(grads[n], num), `${n} vs numeric`).toBeLessThan(2e-2);
      num.dispose();
    }
    tf.dispose([x, logits, cache, dout, grads, auto, Object.values(params)]);
  });

  it('padding does not change the valid outputs of a shorter utterance', () => {
    const params = initSpeechRecognizer(config, 4);
    const short = tf.randomNormal([1, 5, 3], 0, 1, 'float32', 5);
    const padded = tf.concat([short, tf.zeros([1, 4, 3])], 1);
    const a = speechRecognizerForward(params, config, short, [5]);
    const b = speechRecognizerForward(params, config, padded, [5]);
    const valid = b.logits.slice([0, 0, 0], [1, a.outLengths[0], 4]);
    expect(relError(a.logits, valid)).toBeLessThan(1e-6);
    tf.dispose([short, padded, a.logits, a.cache, b.logits, b.cache, valid, Object.values(params)]);
  });
});

describe('speech recognizer training', () => {
  it('bucketed batches: a function of (seed, step), full-sized, similar lengths, each utterance once an epoch', () => {
    const frames = Array.from({ length: 300 }, (_, i) => (i * 37) % 300);
    const a = lengthBucketedBatches(frames, 8, 1);
    const b = lengthBucketedBatches(frames, 8, 1);
    expect(a.batchesPerEpoch).toBe(32 + 5); // a window of 256 gives 32 batches, the remaining 44 give 5
    const late = a.batchAt(100); // b asks for it first, out of order: the same batch
    expect(b.batchAt(100)).toEqual(late);
    expect(b.batchAt(3)).toEqual(a.batchAt(3));
    expect(lengthBucketedBatches(frames, 8, 2).batchAt(3)).not.toEqual(a.batchAt(3));
    const epoch = Array.from({ length: a.batchesPerEpoch }, (_, k) => a.batchAt(k));
    expect(epoch.every((batch) => batch.length === 8)).toBe(true);
    expect(new Set(epoch.flat()).size).toBe(epoch.flat().length);
    const spread = epoch.map(
      (batch) => Math.max(...batch.map((i) => frames[i])) - Math.min(...batch.map((i) => frames[i])),
    );
    expect(Math.max(...spread)).toBeLessThan(60); // sorted within windows: neighbours in length
  });

  it('a step leaks no tensors; training lowers the loss and learns the toy task', () => {
    const cfg = { ...config, lstmLayers: 1, hidden: 8, convChannels: 8 };
    const params = initSpeechRecognizer(cfg, 7);
    const data = toyCtcUtterances(64, 8);
    tf.dispose(Object.values(recognizerLossAndGrads(params, cfg, data.slice(0, 4)).grads));
    const before = tf.memory().numTensors;
    const { grads, loss } = recognizerLossAndGrads(params, cfg, data.slice(4, 8));
    expect(Object.keys(grads).sort()).toEqual(Object.keys(params).sort());
    expect(Number.isFinite(loss)).toBe(true);
    tf.dispose(Object.values(grads));
    expect(tf.memory().numTensors).toBe(before);
    const { losses } = trainSpeechRecognizer(params, cfg, data, {
      steps: 150,
      batchSize: 8,
      lr: 0.02,
      seed: 3,
      progress: false,
    });
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean(losses.slice(-10))).toBeLessThan(0.5 * mean(losses.slice(0, 10)));
    const hyp = recognize(params, cfg, data.slice(0, 16));
    const correct = hyp.filter((h, i) => h.join() === data[i].labels.join()).length;
    expect(correct).toBeGreaterThanOrEqual(12);
    // one forward pass, several decoders: each gets every utterance, in the input order
    const beforeEach = tf.memory().numTensors;
    const [again, firstOnly] = recognizeEach(params, cfg, data.slice(0, 16), [
      greedyDecoder,
      (logits, lengths) => greedyDecoder(logits, lengths).map((seq) => seq.slice(0, 1)),
    ]);
    expect(again).toEqual(hyp);
    expect(firstOnly).toEqual(hyp.map((seq) => seq.slice(0, 1)));
    expect(tf.memory().numTensors).toBe(beforeEach);
    expect(() => recognizeEach(params, cfg, data.slice(0, 4), [() => []])).toThrow(
      'recognizeEach: decoder 0 expected to return 4 label sequences but returned 0',
    );
    tf.dispose(Object.values(params));
  });
});
