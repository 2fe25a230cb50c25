/**
 * Loader of the shipped `datasets/fashion-multihot` (written by
 * `scripts/datasets/fashionMultiHot.ts`): 2×2 scenes of 1–4 items labelled by which of the
 * 10 item types are present — a multi-label (sigmoid) task with rare types.
 */
import * as tf from '@tensorflow/tfjs';
import { checkLoaderOptions, checkSceneRecords, readCropDataset } from './cropDataset';
import { CELL, FASHION_ITEMS, SCENE, TINT_COLOURS, renderScene } from './render';

export type MultiHotSplit = 'train' | 'dev' | 'test';
export const MULTIHOT_SPLITS: readonly MultiHotSplit[] = ['train', 'dev', 'test'];

interface MultiHotRecords {
  typeWeights: number[];
  splits: Record<MultiHotSplit, { source: string; sourceIndices: number[]; scenes: [number, number, number][][] }>;
}

/** What {@link loadFashionMultiHot} returns. */
export interface FashionMultiHot {
  /** [N, 56, 56, 3] float32 in [0, 1]. */
  images: tf.Tensor4D;
  /** [N, 10] float32 multi-hot: 1 where the item type is in the scene. */
  labels: tf.Tensor2D;
  itemNames: string[];
  /** How many scenes of this split contain each item type. */
  positives: number[];
}

/** Loads a split of the multi-hot scenes (`limit` keeps the first `limit`). */
export function loadFashionMultiHot(opts: { split: MultiHotSplit; limit?: number; dir?: string }): FashionMultiHot {
  const keep = checkLoaderOptions('loadFashionMultiHot', opts, MULTIHOT_SPLITS);
  const { crops, cropLabels, records, recordsFile } = readCropDataset<MultiHotRecords>(
    'fashion-multihot',
    'scenes.json.gz',
    opts.dir,
  );
  const scenes = records.splits?.[opts.split]?.scenes;
  checkSceneRecords(recordsFile, opts.split, scenes, crops.length / (CELL * CELL), TINT_COLOURS.length);
  const N = keep(scenes.length);
  const pixels = new Float32Array(N * SCENE * SCENE * 3);
  const labels = new Float32Array(N * 10);
  const positives = new Array<number>(10).fill(0);
  for (let n = 0; n < N; n++) {
    pixels.set(
      renderScene(
        crops,
        scenes[n].map(([crop, colour, cell]) => ({ crop, colour, cell })),
      ),
      n * SCENE * SCENE * 3,
    );
    for (const [crop] of scenes[n]) labels[n * 10 + cropLabels[crop]] = 1;
  }
  for (let n = 0; n < N; n++) for (let k = 0; k < 10; k++) positives[k] += labels[n * 10 + k];
  return {
    images: tf.tensor4d(pixels, [N, SCENE, SCENE, 3], 'float32'),
    labels: tf.tensor2d(labels, [N, 10], 'float32'),
    itemNames: [...FASHION_ITEMS],
    positives,
  };
}
