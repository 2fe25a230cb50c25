import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { tf, NonFiniteError } from '../lib';
import { loadFashionCells, loadFashionScenes } from '../lib/data/fashionScenes';
import {
  buildFeatureCnn,
  trainFeatureCnn,
  evaluateFeatureCnn,
  extractSceneFeatures,
} from '../lib/models/captioning/featureExtractor';
import { loadFeatureCnn, saveFeatureCnn } from '../lib/models/captioning/cnnCheckpoint';
import { signManifest } from '../lib/data/manifestSignature';
import { DatasetError } from '../lib/data/datasetError';

describe('feature CNN for captioning', () => {
  it('trains on labelled cells (loss falls, no tensors left behind, NaN stops before an update)', async () => {
    const cells = loadFashionCells({ split: 'val', limit: 192 });
    const cnn = buildFeatureCnn({
      items: cells.itemNames.length,
      colours: cells.colourNames.length,
      channels: 4,
      seed: 1,
    });
    const before = tf.memory().numTensors;
    const { epochLoss } = await trainFeatureCnn(cnn, cells, { epochs: 4, batchSize: 32, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(epochLoss[3]).toBeLessThan(epochLoss[0]);
    const acc = evaluateFeatureCnn(cnn, cells);
    expect(acc.colourAccuracy).toBeGreaterThan(1 / cells.colourNames.length);
    const weights = cnn.classifier.trainableWeights.map((w) => w.read().dataSync().slice());
    const poisoned = { ...cells, images: tf.mul(cells.images, NaN) };
    await expect(trainFeatureCnn(cnn, poisoned, { epochs: 1, batchSize: 32, seed: 2 })).rejects.toThrow(NonFiniteError);
    cnn.classifier.trainableWeights.forEach((w, i) => expect(w.read().dataSync()).toEqual(weights[i]));
  });
  it('a saved CNN (the wider trunk) loads with the same weights and predictions; a damaged file is named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feature-cnn-'));
    const sizes = { items: 10, colours: 6, firstChannels: 4, middleChannels: 5, channels: 3 };
    const cnn = buildFeatureCnn({ ...sizes, finalPool: 'max', seed: 8 }); // the non-default pooling
    const manifest = saveFeatureCnn(dir, cnn, { note: 'test' });
    expect(manifest.sizes).toEqual({ ...sizes, finalPool: 'max' });
    const byDefault = buildFeatureCnn({ ...sizes, seed: 8 });
    expect(byDefault.sizes.finalPool).toBe('average');
    byDefault.classifier.dispose();
    const { cnn: back } = loadFeatureCnn(dir);
    const x = tf.randomUniform([2, 56, 56, 3], 0, 1, 'float32', 3);
    const [a, b] = [cnn.trunk.predict(x) as tf.Tensor, back.trunk.predict(x) as tf.Tensor];
    expect(a.shape).toEqual([2, 4, 4, 3]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const manifestFile = path.join(dir, 'manifest.json');
    const { finalPool, ...withoutPool } = manifest.sizes;
    expect(finalPool).toBe('max');
    fs.writeFileSync(manifestFile, JSON.stringify(signManifest({ ...manifest, sizes: withoutPool })));
    expect(() => loadFeatureCnn(dir)).toThrow(/manifest\.json.*sizes\.finalPool must be 'average' or 'max'/);
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const file = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[5] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(() => loadFeatureCnn(dir)).toThrow(DatasetError);
    expect(() => loadFeatureCnn(dir)).toThrow(/weights\.bin.*checksum mismatch/);
    tf.dispose([x, a, b]);
    cnn.classifier.dispose();
    back.classifier.dispose();
    fs.rmSync(dir, { recursive: true });
  });
  it('lays scene features out as cells [N, 4C, 2, 2] and flat [N, 16C] views of the trunk map', () => {
    const scenes = loadFashionScenes({ split: 'test', limit: 2 });
    const cnn = buildFeatureCnn({ items: 10, colours: 6, channels: 3, seed: 5 });
    const { cells, flat } = extractSceneFeatures(cnn, scenes.images);
    const mapTensor = cnn.trunk.predict(scenes.images) as tf.Tensor;
    const map = mapTensor.arraySync() as number[][][][]; // [N, 4, 4, C]
    const byCell = cells.arraySync() as number[][][][];
    const fl = flat.arraySync() as number[][];
    expect(cells.shape).toEqual([2, 12, 2, 2]);
    for (let n = 0; n < 2; n++)
      for (let r = 0; r < 4; r++)
        for (let col = 0; col < 4; col++)
          for (let c = 0; c < 3; c++) {
            // map row r = 2i + a, column col = 2j + b: cell (i, j), stacked channel (2a + b)·C + c
            const [i, a, j, b] = [r >> 1, r & 1, col >> 1, col & 1];
            expect(byCell[n][(2 * a + b) * 3 + c][i][j]).toBeCloseTo(map[n][r][col][c], 6);
            expect(fl[n][(r * 4 + col) * 3 + c]).toBeCloseTo(map[n][r][col][c], 6);
          }
    tf.dispose([cells, flat, mapTensor, scenes.images, scenes.captions]);
    cnn.classifier.dispose();
  });
});
