/**
 * What the caption decoders read: the CNN's features standardised per channel
 * (lib/models/captioning/featureScaling.ts), and extra training scenes recomposed from the
 * training split's own crops (lib/data/sceneRecomposition.ts).
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../lib';
import { assembleScenes, loadFashionScenes, readSceneData } from '../lib/data/fashionScenes';
import { scenePhrasings } from '../lib/data/sceneGrammar';
import { recomposeTrainingScenes } from '../lib/data/sceneRecomposition';
import { buildFeatureCnn, extractSceneFeatures } from '../lib/models/captioning/featureExtractor';
import { featureScalingOf, scaleSceneFeatures } from '../lib/models/captioning/featureScaling';

describe('feature scaling', () => {
  it('gives each channel mean 0 and deviation 1 in both views, position by position alike', () => {
    const before = tf.memory().numTensors;
    const scenes = loadFashionScenes({ split: 'val', limit: 20 });
    const cnn = buildFeatureCnn({ items: 10, colours: 6, channels: 3, seed: 2 });
    const features = extractSceneFeatures(cnn, scenes.images);
    const scaling = featureScalingOf(features);
    const scaled = scaleSceneFeatures(features, scaling);
    const [mean, variance, cellError] = tf.tidy(() => {
      const byChannel = tf.reshape(scaled.flat, [20 * 16, 3]);
      const { mean: m, variance: v } = tf.moments(byChannel, 0);
      // The cell view is the flat view's numbers, standardised alike.
      const fromFlat = extractSceneFeatures(cnn, scenes.images); // raw again, then scaled by hand
      const byHand = tf.div(
        tf.sub(fromFlat.cells, tf.reshape(tf.tile(tf.tensor1d(scaling.mean), [4]), [1, 12, 1, 1])),
        tf.reshape(tf.tile(tf.tensor1d(scaling.std), [4]), [1, 12, 1, 1]),
      );
      return [m.dataSync(), v.dataSync(), tf.max(tf.abs(tf.sub(byHand, scaled.cells))).dataSync()[0]];
    });
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(1e-4);
    for (const v of variance) expect(v).toBeCloseTo(1, 3);
    expect(cellError).toBeLessThan(1e-5);
    expect(() => scaleSceneFeatures(features, { mean: [0, 0], std: [1, 1] })).toThrow(
      "scaleSceneFeatures: argument 'scaling' expected finite mean and positive std of length 3",
    );
    tf.dispose([scenes.images, scenes.captions, features.cells, features.flat, scaled.cells, scaled.flat]);
    cnn.classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('recomposed training scenes', () => {
  it('are seeded, grammatical, in the training vocabulary and free of held-out pairs', () => {
    const a = recomposeTrainingScenes({ count: 300, seed: 5 });
    const b = recomposeTrainingScenes({ count: 300, seed: 5 });
    const c = recomposeTrainingScenes({ count: 300, seed: 6 });
    expect(a.captionTexts).toEqual(b.captionTexts);
    expect(tf.max(tf.abs(tf.sub(a.images, b.images))).dataSync()[0]).toBe(0);
    expect(a.captionTexts).not.toEqual(c.captionTexts);
    const train = loadFashionScenes({ split: 'train', limit: 1 });
    expect(a.idxToWord).toEqual(train.idxToWord);
    expect(a.captions.shape[1]).toBe(train.captions.shape[1]);
    const heldOut = new Set(a.heldOutPairs.map(([col, item]) => `${col},${item}`));
    a.items.forEach((objects, n) => {
      expect(objects.length).toBeGreaterThanOrEqual(1);
      expect(objects.length).toBeLessThanOrEqual(3);
      expect(new Set(objects.map((o) => o.cell)).size).toBe(objects.length);
      for (const o of objects) expect(heldOut.has(`${o.colour},${o.item}`)).toBe(false);
      expect(scenePhrasings(objects, a)).toContain(a.captionTexts[n]);
    });
    expect(() => recomposeTrainingScenes({ count: 0, seed: 1 })).toThrow("recomposeTrainingScenes: argument 'count'");
    const { crops, cropLabels, records } = readSceneData();
    expect(() => assembleScenes(crops, cropLabels, records, [[[0, 9, 0]]], ['a red top on the left'])).toThrow(
      "assembleScenes: argument 'placed[0][0]' expected [crop <",
    );
    for (const s of [a, b, c, train]) tf.dispose([s.images, s.captions]);
  });
});
