/**
 * Shipped datasets: IDX round trip, verified loading (checksum, truncation, format errors name
 * the file), deterministic rendering, split hygiene (no image in two splits, held-out pairs).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { describe, expect, it } from 'vitest';
import { tf } from '../lib';
import { decodeCaptions } from '../lib/data/captions';
import { DatasetError } from '../lib/data/datasetError';
import { datasetDir, readJsonGz, readManifest, sha256 } from '../lib/data/datasetFiles';
import { signManifest } from '../lib/data/manifestSignature';
import { loadFashionMultiHot } from '../lib/data/fashionMultiHot';
import { loadSpeechSingle } from '../lib/data/speechSingle';
import { loadFashionCells, loadFashionScenes } from '../lib/data/fashionScenes';
import { loadFashionPretrain, loadFashionTints } from '../lib/data/fashionTints';
import { encodeIdx, parseIdx } from '../lib/data/idx';
import { FASHION_ITEMS, TINT_COLOURS, renderScene, renderTintedItem, textureImage } from '../lib/data/render';
import { copyDataset } from './helpers';

describe('IDX format', () => {
  it('round-trips and rejects wrong magic, truncation and trailing bytes', () => {
    const a = { data: Uint8Array.from({ length: 24 }, (_, i) => i * 7), shape: [2, 3, 4] };
    const bytes = encodeIdx(a);
    expect(Array.from(bytes.slice(0, 4))).toEqual([0, 0, 8, 3]);
    const b = parseIdx(bytes, 'x.idx');
    expect(b.shape).toEqual([2, 3, 4]);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(() => parseIdx(bytes.slice(0, bytes.length - 1), 'x.idx')).toThrow(/x\.idx: truncated/);
    expect(() => parseIdx(Uint8Array.from([...bytes, 1]), 'x.idx')).toThrow(/x\.idx: wrong format/);
    const bad = bytes.slice();
    bad[2] = 0x0d; // float data
    expect(() => parseIdx(bad, 'x.idx')).toThrow(/x\.idx: wrong format: IDX magic 0x00000d03/);
  });
});

describe('rendering', () => {
  const crops = Uint8Array.from({ length: 2 * 784 }, (_, i) => (i * 37) % 256);
  it('tints by multiplying the crop by the colour, cell by cell, over a black background', () => {
    const img = renderScene(crops, [{ crop: 1, colour: 2, cell: 3 }]);
    const rgb = TINT_COLOURS[2].rgb;
    // Pixel (y=30, x=40) lies in cell 3 at (2, 12).
    const a = crops[784 + 2 * 28 + 12] / 255;
    const o = (30 * 56 + 40) * 3;
    expect(img[o]).toBeCloseTo(a * rgb[0], 6);
    expect(img[o + 2]).toBeCloseTo(a * rgb[2], 6);
    expect(img[(5 * 56 + 5) * 3]).toBe(0); // empty cell 0
    expect(Array.from(renderScene(crops, [{ crop: 1, colour: 2, cell: 3 }]))).toEqual(Array.from(img));
    expect(() =>
      renderScene(crops, [
        { crop: 0, colour: 0, cell: 1 },
        { crop: 1, colour: 0, cell: 1 },
      ]),
    ).toThrow(/cell 1 is used twice/);
    expect(() => renderScene(crops, [{ crop: 2, colour: 0, cell: 0 }])).toThrow(/renderScene: argument 'crop'/);
  });

  it('composites items over textures: a·colour + (1 − a)·texture', () => {
    const stripes = textureImage(1);
    expect(stripes[0]).toBeCloseTo(0.4, 6); // x + y = 0 → on a stripe
    expect(stripes[3]).toBe(0); // x + y = 3 → between stripes
    const dots = textureImage(2);
    expect(dots[3 * 28 + 3]).toBeCloseTo(0.4, 6);
    expect(dots[0]).toBe(0);
    const img = renderTintedItem(crops, 0, 4, 1);
    const a = crops[0] / 255;
    expect(img[0]).toBeCloseTo(a * TINT_COLOURS[4].rgb[0] + (1 - a) * 0.4, 6);
  });
});

describe('fashion-scenes', () => {
  it('loads captions that decode back to the texts, with items matching the pixels', () => {
    const d = loadFashionScenes({ split: 'val', limit: 40 });
    expect(d.images.shape).toEqual([40, 56, 56, 3]);
    expect(d.captions.dtype).toBe('int32');
    expect(d.idxToWord.slice(0, 4)).toEqual(['<NULL>', '<START>', '<END>', '<UNK>']);
    expect(d.captions.shape[1]).toBeLessThanOrEqual(17);
    const ids = d.captions.arraySync() as number[][];
    expect(ids.every((r) => r[0] === 1)).toBe(true);
    expect(decodeCaptions(d.captions, d.idxToWord)).toEqual(d.captionTexts);
    expect(decodeCaptions([[1, d.wordToIdx.a, 2, d.wordToIdx.red]], d.idxToWord)).toEqual(['a']);
    // Every captioned item's colour and item words appear in its caption; occupied cells are non-black.
    const px = d.images.dataSync();
    d.items.forEach((items, n) => {
      for (const it of items) {
        expect(d.captionTexts[n]).toContain(`${d.colourNames[it.colour]} ${FASHION_ITEMS[it.item]}`);
        const x0 = (it.cell % 2) * 28,
          y0 = Math.floor(it.cell / 2) * 28;
        let sum = 0;
        for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) sum += px[((n * 56 + y0 + y) * 56 + x0 + x) * 3];
        expect(sum).toBeGreaterThan(0);
      }
      expect(new Set(items.map((i) => i.cell)).size).toBe(items.length);
    });
    tf.dispose([d.images, d.captions]);
  });

  it('keeps splits apart: no image in two splits, held-out pairs only (and always) in novel', () => {
    const dir = datasetDir('fashion-scenes');
    const rec = readJsonGz<{ splits: Record<string, { source: string; sourceIndices: number[] }> }>(
      dir,
      readManifest(dir),
      'scenes.json.gz',
    );
    const t10k = ['val', 'test', 'novel'].flatMap((s) => rec.splits[s].sourceIndices);
    expect(new Set(t10k).size).toBe(t10k.length);
    expect(new Set(rec.splits.train.sourceIndices).size).toBe(rec.splits.train.sourceIndices.length);
    expect(rec.splits.train.source).toBe('train');
    const held = (d: ReturnType<typeof loadFashionScenes>) =>
      d.items.map((items) => items.some((i) => d.heldOutPairs.some(([c, k]) => c === i.colour && k === i.item)));
    for (const split of ['train', 'test'] as const) {
      const d = loadFashionScenes({ split });
      expect(held(d).some(Boolean)).toBe(false);
      if (split === 'train') {
        const items = new Set(d.items.flat().map((i) => i.item));
        const colours = new Set(d.items.flat().map((i) => i.colour));
        expect([items.size, colours.size]).toEqual([10, 6]);
        expect(d.images.shape[0]).toBeGreaterThanOrEqual(3000);
      }
      tf.dispose([d.images, d.captions]);
    }
    const novel = loadFashionScenes({ split: 'novel' });
    expect(held(novel).every(Boolean)).toBe(true);
    tf.dispose([novel.images, novel.captions]);
  });

  it('exposes single tinted cells with item and colour labels', () => {
    const c = loadFashionCells({ split: 'test', limit: 30 });
    expect(c.images.shape).toEqual([30, 28, 28, 3]);
    const s = loadFashionScenes({ split: 'test', limit: 30 });
    expect(Array.from(c.items.dataSync().slice(0, 5))).toEqual(
      s.items
        .flat()
        .slice(0, 5)
        .map((i) => i.item),
    );
    tf.dispose([c.images, c.items, c.colours, s.images, s.captions]);
  });

  it('fails with an error naming the file on a checksum mismatch, truncation or wrong format', () => {
    const dir = copyDataset('fashion-scenes');
    const file = path.join(dir, 'crops.idx3-ubyte.gz');
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[1000] ^= 0xff;
    fs.writeFileSync(file, flipped);
    expect(() => loadFashionScenes({ split: 'val', dir })).toThrow(DatasetError);
    expect(() => loadFashionScenes({ split: 'val', dir })).toThrow(/crops\.idx3-ubyte\.gz: checksum mismatch/);
    fs.writeFileSync(file, good.subarray(0, good.length - 10));
    expect(() => loadFashionScenes({ split: 'val', dir })).toThrow(/crops\.idx3-ubyte\.gz: truncated/);
    // A file whose manifest entry matches but whose content is the wrong shape: the format check catches it.
    const wrong = zlib.gzipSync(encodeIdx({ data: new Uint8Array(5 * 27 * 28), shape: [5, 27, 28] }));
    fs.writeFileSync(file, wrong);
    const manifest = readManifest(dir);
    const entry = manifest.files.find((f) => f.name === 'crops.idx3-ubyte.gz')!;
    Object.assign(entry, { bytes: wrong.length, sha256: sha256(wrong) });
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(signManifest(manifest)));
    expect(() => loadFashionScenes({ split: 'val', dir })).toThrow(
      /crops\.idx3-ubyte\.gz: wrong format: expected \[K, 28, 28\]/,
    );
    fs.rmSync(path.join(dir, 'scenes.json.gz'));
    fs.writeFileSync(file, good);
    Object.assign(entry, { bytes: good.length, sha256: sha256(good) });
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(signManifest(manifest)));
    expect(() => loadFashionScenes({ split: 'val', dir })).toThrow(/scenes\.json\.gz: missing file/);
  });

  it('a manifest that is JSON null, an array or lists a null entry fails with the file named', () => {
    const dir = copyDataset('fashion-scenes');
    const file = path.join(dir, 'manifest.json');
    for (const [text, message] of [
      ['null', 'wrong format: expected a JSON object but got null'],
      ['[1, 2]', 'wrong format: expected a JSON object but got [1,2]'],
      ['{"files": [null]}', 'wrong format: `files` must list { name, bytes, sha256 }'],
    ]) {
      fs.writeFileSync(file, text);
      expect(() => readManifest(dir)).toThrow(DatasetError);
      expect(() => loadFashionScenes({ split: 'val', dir })).toThrow(`manifest.json: ${message}`);
    }
  });

  it('validates arguments', () => {
    expect(() => loadFashionScenes({ split: 'dev' as never })).toThrow(/loadFashionScenes: split must be one of/);
    expect(() => loadFashionScenes({ split: 'val', limit: 0 })).toThrow(/argument 'limit'/);
  });
});

describe('fashion-tints', () => {
  it('trains on a third of the item×colour combinations, covering every item and colour; test is half unseen', () => {
    const train = loadFashionTints({ split: 'train' });
    expect(train.seen.every(Boolean)).toBe(true);
    expect(train.seenPairs.length).toBe(27);
    expect(new Set(train.labelArrays.item).size).toBe(10);
    expect(new Set(train.labelArrays.colour).size).toBe(8);
    expect(new Set(train.labelArrays.texture).size).toBe(3);
    const test = loadFashionTints({ split: 'test' });
    const unseen = test.seen.filter((s) => !s).length;
    expect(unseen).toBe(test.seen.length / 2);
    expect(test.images.shape).toEqual([1500, 28, 28, 3]);
    const px = test.images.dataSync();
    expect(px.every((v) => v >= 0 && v <= 1)).toBe(true);
    tf.dispose([train.images, test.images, ...Object.values(train.labels), ...Object.values(test.labels)]);
  });

  it('has an untinted item-only pretrain split (gray pixels: R = G = B)', () => {
    const p = loadFashionPretrain({ limit: 20 });
    const px = p.images.dataSync();
    for (let i = 0; i < px.length; i += 3) {
      expect(px[i]).toBe(px[i + 1]);
      expect(px[i]).toBe(px[i + 2]);
    }
    expect(p.items.shape).toEqual([20]);
    tf.dispose([p.images, p.items]);
  });
});

describe('fashion-multihot', () => {
  it('labels mark the item types present, with rare types', () => {
    const d = loadFashionMultiHot({ split: 'dev' });
    expect(d.labels.shape).toEqual([500, 10]);
    const y = d.labels.arraySync() as number[][];
    expect(y.every((r) => r.some((v) => v === 1) && r.every((v) => v === 0 || v === 1))).toBe(true);
    expect(d.positives).toEqual(y.reduce((acc, r) => acc.map((a, k) => a + r[k]), new Array(10).fill(0)));
    expect(Math.max(...d.positives) / Math.min(...d.positives)).toBeGreaterThan(5);
    tf.dispose([d.images, d.labels]);
  });
});

describe('manifest signature', () => {
  it('every shipped manifest (datasets and checkpoints) is signed and its signature matches', () => {
    const root = path.resolve(__dirname, '..');
    const folders = ['datasets', 'checkpoints'].flatMap((top) =>
      fs.readdirSync(path.join(root, top)).map((d) => path.join(root, top, d)),
    );
    const manifests = folders.filter((d) => fs.existsSync(path.join(d, 'manifest.json')));
    expect(manifests.length).toBeGreaterThanOrEqual(12);
    for (const d of manifests) {
      const m = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8')) as { manifestSha256: string };
      expect(signManifest(m).manifestSha256, d).toBe(m.manifestSha256);
    }
  });

  it('a field outside every file checksum (the quantisation offset) cannot change silently', () => {
    const dir = copyDataset('speech-single');
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    manifest.features.quantisation.offset += 5;
    fs.writeFileSync(file, JSON.stringify(manifest));
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(DatasetError);
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(
      /manifest\.json: manifest fields changed since it was signed: manifestSha256 of its fields is [0-9a-f]{64}/,
    );
    delete manifest.manifestSha256;
    fs.writeFileSync(file, JSON.stringify(manifest));
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(
      /manifest\.json: unsigned manifest: no manifestSha256/,
    );
    // Re-signed on purpose, the edit is accepted (and moves every feature by 5).
    fs.writeFileSync(file, JSON.stringify(signManifest(manifest)));
    const shifted = loadSpeechSingle({ split: 'val', dir, limit: 1 }).utterances[0].mel;
    const original = loadSpeechSingle({ split: 'val', limit: 1 }).utterances[0].mel;
    expect(shifted.data[0] - original.data[0]).toBeCloseTo(5, 4);
  });
});
