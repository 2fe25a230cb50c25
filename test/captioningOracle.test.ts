/**
 * The caption grammar (lib/data/sceneGrammar.ts) and notebook 04's oracle ceiling
 * (lib/models/captioning/oracle.ts): every shipped reference caption is one of its scene's
 * phrasings; the oracle reads each object's own cell (its names equal the classifier's on the
 * shipped cells of the same scenes) and its caption is right exactly when those names are.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../lib';
import { loadFashionCells, loadFashionScenes } from '../lib/data/fashionScenes';
import { scenePhrasings } from '../lib/data/sceneGrammar';
import { scoreCaption } from '../lib/models/captioning/analysis';
import { evaluateFeatureCnn, buildFeatureCnn, trainFeatureCnn } from '../lib/models/captioning/featureExtractor';
import { oracleCaptions } from '../lib/models/captioning/oracle';
import { expectNoLeak } from './helpers';

describe('caption grammar and oracle', () => {
  it('every reference caption of test and novel is one of its scene phrasings; bad scenes are named', () => {
    for (const split of ['test', 'novel'] as const) {
      const scenes = loadFashionScenes({ split });
      scenes.captionTexts.forEach((text, n) => expect(scenePhrasings(scenes.items[n], scenes), text).toContain(text));
      tf.dispose([scenes.images, scenes.captions]);
    }
    const names = { colourNames: ['red'], itemNames: ['top'] };
    expect(scenePhrasings([{ cell: 2, colour: 0, item: 0 }], names)[0]).toBe('a red top in the bottom left');
    expect(() => scenePhrasings([], names)).toThrow(
      "scenePhrasings: argument 'items' expected 1 to 3 scene items but got 0",
    );
    const twice = [
      { cell: 1, colour: 0, item: 0 },
      { cell: 1, colour: 0, item: 0 },
    ];
    expect(() => scenePhrasings(twice, names)).toThrow('two items on one cell');
  });

  it("names each object as the classifier does on that object's cell; right captions when the names are", async () => {
    const scenes = loadFashionScenes({ split: 'val', limit: 40 });
    const cells = loadFashionCells({ split: 'val', limit: scenes.items.flat().length });
    const cnn = buildFeatureCnn({ items: 10, colours: 6, channels: 8, seed: 3 });
    await trainFeatureCnn(cnn, cells, { epochs: 2, batchSize: 16, seed: 1 });
    const oracle = oracleCaptions(cnn, scenes.images, scenes.items, scenes);
    const [items, colours] = cnn.classifier.predict(cells.images) as tf.Tensor[];
    const flatNamed = oracle.named.flat();
    expect(flatNamed.map((o) => o.item)).toEqual(Array.from(tf.argMax(items, 1).dataSync()));
    expect(flatNamed.map((o) => o.colour)).toEqual(Array.from(tf.argMax(colours, 1).dataSync()));
    expect(flatNamed.map((o) => o.cell)).toEqual(scenes.items.flat().map((o) => o.cell));
    const acc = evaluateFeatureCnn(cnn, cells);
    expect(acc.colourAccuracy).toBeGreaterThan(0.5); // a model that names something, so both outcomes occur
    oracle.words.forEach((words, n) => {
      const truth = scenes.items[n];
      const right = oracle.named[n].every((o, k) => o.item === truth[k].item && o.colour === truth[k].colour);
      expect(scoreCaption(words, truth, scenes).correct, words.join(' ')).toBe(right);
    });
    expectNoLeak(() => oracleCaptions(cnn, scenes.images, scenes.items, scenes), 'oracle');
    expect(() => oracleCaptions(cnn, scenes.images, scenes.items.slice(1), scenes)).toThrow(
      "oracleCaptions: argument 'items' expected one list of objects per scene (40) but got 39",
    );
    tf.dispose([items, colours, scenes.images, scenes.captions, cells.images, cells.items, cells.colours]);
    cnn.classifier.dispose();
  });

  it('names only the colours of the vocabulary when the CNN knows more tints than the scenes use', () => {
    const scenes = loadFashionScenes({ split: 'val', limit: 20 });
    const cnn = buildFeatureCnn({ items: 10, colours: 8, channels: 4, seed: 9 });
    const colourHead = cnn.classifier.getLayer('colour');
    const bias = tf.tensor1d([0, 0, 0, 0, 0, 0, 50, 50]); // the two extra tints win every argmax
    colourHead.setWeights([colourHead.getWeights()[0], bias]);
    const { named } = oracleCaptions(cnn, scenes.images, scenes.items, scenes);
    expect(named.flat().every((o) => o.colour < scenes.colourNames.length)).toBe(true);
    tf.dispose([bias, scenes.images, scenes.captions]);
    cnn.classifier.dispose();
  });
});
