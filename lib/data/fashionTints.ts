/**
 * Loaders of the shipped `datasets/fashion-tints` (written by
 * `scripts/datasets/fashionTints.ts`): tinted items over textures with three label
 * categories (item 10, colour 8, texture 3), where training covers only some item×colour
 * combinations; and the untinted item-only `pretrain` split for the backbone.
 */
import * as tf from '@tensorflow/tfjs';
import { checkLoaderOptions, checkSceneRecords, readCropDataset } from './cropDataset';
import { DatasetError } from './datasetError';
import { CELL, FASHION_ITEMS, renderTintedItem } from './render';

export type TintSplit = 'train' | 'val' | 'test';
export const TINT_SPLITS: readonly TintSplit[] = ['train', 'val', 'test'];

interface TintRecords {
  colours: string[];
  textures: string[];
  seenPairs: [number, number][];
  splits: Record<
    TintSplit | 'pretrain',
    { source: string; sourceIndices: number[]; crop: number[]; colour: number[]; texture: number[] }
  >;
}

function readTints(dir?: string) {
  const data = readCropDataset<TintRecords>('fashion-tints', 'tints.json.gz', dir);
  const { records, recordsFile } = data;
  const K = data.cropLabels.length;
  for (const split of [...TINT_SPLITS, 'pretrain'] as const) {
    const s = records.splits?.[split];
    // Reuse the scene check: an image is a one-item "scene" [crop, colour, cell 0].
    checkSceneRecords(
      recordsFile,
      split,
      s?.crop?.map((c, n) => [[c, s.colour[n], 0]]),
      K,
      records.colours.length,
    );
    if (s.texture.length !== s.crop.length || s.texture.some((t) => !(t >= 0 && t < records.textures.length))) {
      throw new DatasetError(recordsFile, `wrong format: split '${split}' has textures out of range`);
    }
  }
  return data;
}

/** Renders images `n < N` of a tints split into one [N, 28, 28, 3] tensor. */
function renderSplit(crops: Uint8Array, s: TintRecords['splits'][TintSplit], N: number): tf.Tensor4D {
  const pixels = new Float32Array(N * CELL * CELL * 3);
  for (let n = 0; n < N; n++)
    pixels.set(renderTintedItem(crops, s.crop[n], s.colour[n], s.texture[n]), n * CELL * CELL * 3);
  return tf.tensor4d(pixels, [N, CELL, CELL, 3], 'float32');
}

/** What {@link loadFashionTints} returns. */
export interface FashionTints {
  /** [N, 28, 28, 3] float32 in [0, 1]. */
  images: tf.Tensor4D;
  /** One [N] int32 label tensor per category. */
  labels: { item: tf.Tensor1D; colour: tf.Tensor1D; texture: tf.Tensor1D };
  /** The same labels as plain arrays. */
  labelArrays: { item: number[]; colour: number[]; texture: number[] };
  /** Whether image n's item×colour combination occurs in the training split. */
  seen: boolean[];
  /** Class names per category. */
  categories: { item: string[]; colour: string[]; texture: string[] };
  /** The [item, colour] combinations of the training split. */
  seenPairs: [number, number][];
}

/**
 * Loads a split of the tinted items: `train` and `val` hold only the seen item×colour
 * combinations, `test` alternates seen and unseen ones (`seen[n]` says which).
 */
export function loadFashionTints(opts: { split: TintSplit; limit?: number; dir?: string }): FashionTints {
  const keep = checkLoaderOptions('loadFashionTints', opts, TINT_SPLITS);
  const { crops, cropLabels, records } = readTints(opts.dir);
  const s = records.splits[opts.split];
  const N = keep(s.crop.length);
  const item = s.crop.slice(0, N).map((c) => cropLabels[c]);
  const colour = s.colour.slice(0, N);
  const texture = s.texture.slice(0, N);
  const seenSet = new Set(records.seenPairs.map(([i, c]) => `${i},${c}`));
  return {
    images: renderSplit(crops, s, N),
    labels: {
      item: tf.tensor1d(item, 'int32'),
      colour: tf.tensor1d(colour, 'int32'),
      texture: tf.tensor1d(texture, 'int32'),
    },
    labelArrays: { item, colour, texture },
    seen: item.map((i, n) => seenSet.has(`${i},${colour[n]}`)),
    categories: { item: [...FASHION_ITEMS], colour: [...records.colours], texture: [...records.textures] },
    seenPairs: records.seenPairs.map(([i, c]) => [i, c] as [number, number]),
  };
}

/** The `pretrain` split: untinted items (white, plain background) labelled by item class only. */
export function loadFashionPretrain(opts: { limit?: number; dir?: string } = {}): {
  images: tf.Tensor4D;
  items: tf.Tensor1D;
  itemNames: string[];
} {
  const keep = checkLoaderOptions('loadFashionPretrain', opts);
  const { crops, cropLabels, records } = readTints(opts.dir);
  const s = records.splits.pretrain;
  const N = keep(s.crop.length);
  return {
    images: renderSplit(crops, s, N),
    items: tf.tensor1d(
      s.crop.slice(0, N).map((c) => cropLabels[c]),
      'int32',
    ),
    itemNames: [...FASHION_ITEMS],
  };
}
