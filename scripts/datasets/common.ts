/**
 * Shared plumbing of the dataset generation scripts: reading Debian's Fashion-MNIST
 * (package `dataset-fashion-mnist`), per-class queues of image indices, and writing a
 * dataset folder (data files + manifest.json + LICENSE + README.md).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Rng } from '../../lib';
import { DatasetManifest, ManifestFile, writeDataset } from '../../lib/data/datasetFiles';
import { IdxArray, parseIdx } from '../../lib/data/idx';
import { filesSection, readmeHead } from './readme';

export const SOURCE_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const LICENCE_FILE = '/usr/share/doc/dataset-fashion-mnist/copyright';
export const SOURCE =
  'Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, Zalando SE), read from Debian package dataset-fashion-mnist: ' +
  SOURCE_DIR;
export const LICENCE = 'MIT (Expat), Copyright 2017 Zalando SE — see LICENSE';

/** The repository root (this file is compiled to dist/scripts/datasets/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** One Fashion-MNIST set: images [n, 28, 28] and labels [n]. */
export interface FashionSet {
  images: IdxArray;
  labels: Uint8Array;
}

/** Reads `train` or `t10k` images and labels from the Debian files. */
export function readFashionMnist(set: 'train' | 't10k'): FashionSet {
  const read = (kind: string): IdxArray => {
    const file = path.join(SOURCE_DIR, `${set}-${kind}-ubyte.gz`);
    if (!fs.existsSync(file))
      throw new Error(
        `${file} not found: install Debian's dataset-fashion-mnist ` +
          `(apt-get install dataset-fashion-mnist) or set FASHION_MNIST_DIR`,
      );
    return parseIdx(zlib.gunzipSync(fs.readFileSync(file)), file);
  };
  const images = read('images-idx3');
  const labels = read('labels-idx1');
  if (images.shape[0] !== labels.shape[0])
    throw new Error(`${set}: ${images.shape[0]} images but ${labels.shape[0]} labels`);
  return { images, labels: labels.data };
}

/**
 * Shuffled per-class queues over a subset `indices` of a Fashion-MNIST set, so scenes can
 * draw "an image of class k" without ever drawing the same image twice.
 */
export class ClassQueues {
  private readonly queues: number[][] = Array.from({ length: 10 }, () => []);
  constructor(set: FashionSet, indices: number[], rng: Rng) {
    for (const i of rng.shuffle([...indices])) this.queues[set.labels[i]].push(i);
  }
  /** The next unused image index of class `k`. */
  take(k: number): number {
    const i = this.queues[k].pop();
    if (i === undefined) throw new Error(`ran out of images of class ${k}`);
    return i;
  }
}

/** Accumulates the crops a dataset ships (uint8 28×28) with their labels and source indices. */
export class CropStore {
  private readonly pixels: Uint8Array[] = [];
  readonly labels: number[] = [];
  readonly sources: number[] = [];
  /** Adds image `index` of `set`; returns its crop number. */
  add(set: FashionSet, index: number): number {
    this.pixels.push(set.images.data.subarray(index * 784, (index + 1) * 784));
    this.labels.push(set.labels[index]);
    this.sources.push(index);
    return this.pixels.length - 1;
  }
  get count(): number {
    return this.pixels.length;
  }
  images(): IdxArray {
    const data = new Uint8Array(this.pixels.length * 784);
    this.pixels.forEach((p, i) => data.set(p, i * 784));
    return { data, shape: [this.pixels.length, 28, 28] };
  }
  labelArray(): IdxArray {
    return { data: Uint8Array.from(this.labels), shape: [this.labels.length] };
  }
}

/** Writes the folder `datasets/<name>`: data files, manifest.json, LICENSE (copied from Debian) and README.md. */
export function writeDatasetFolder(
  name: string,
  meta: Omit<DatasetManifest, 'files' | 'name' | 'source' | 'licence'>,
  files: { name: string; bytes: Buffer; format: ManifestFile['format']; description: string }[],
  readmeBody: string,
): DatasetManifest {
  const dir = path.join(REPO_ROOT, 'datasets', name);
  const manifest = writeDataset(dir, { name, source: SOURCE, licence: LICENCE, ...meta }, files);
  fs.copyFileSync(LICENCE_FILE, path.join(dir, 'LICENSE'));
  const readme = [
    ...readmeHead(name, meta.description, readmeBody),
    ...filesSection(
      manifest,
      "`manifest.json` lists each file's size and sha256; the loaders check both and the format before using a byte.",
    ),
    '## How it was made',
    '',
    `\`npm run build && node dist/${meta.generator.replace(/\.ts$/, '.js')}\` (seed ${meta.seed}) from ${SOURCE}.`,
    'The script is deterministic: running it again writes byte-identical files.',
    '',
    '## Licence',
    '',
    `Fashion-MNIST is ${LICENCE}. The derived files here are under the same licence.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'README.md'), readme);
  console.log(`wrote ${dir}: ${manifest.files.map((f) => `${f.name} ${f.bytes} B`).join(', ')}`);
  return manifest;
}
