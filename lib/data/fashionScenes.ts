/**
 * Loader of the shipped `datasets/fashion-scenes` (written by
 * `scripts/datasets/fashionScenes.ts`): captioned 2×2 scenes of tinted Fashion-MNIST items,
 * and the single tinted cells with (item, colour) labels for pre-training a feature CNN.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { encodeCaptions } from './captions';
import { DatasetError } from './datasetError';
import { checkLoaderOptions, checkSceneRecords, readCropDataset } from './cropDataset';
import { CELL, SCENE, renderScene, renderTintedItem } from './render';

export type SceneSplit = 'train' | 'val' | 'test' | 'novel';
export const SCENE_SPLITS: readonly SceneSplit[] = ['train', 'val', 'test', 'novel'];

/** One item of a scene: Fashion-MNIST class, tint colour index, cell (0 TL, 1 TR, 2 BL, 3 BR). */
export interface SceneItem {
  item: number;
  colour: number;
  cell: number;
}

export interface SceneRecords {
  colours: string[];
  items: string[];
  heldOutPairs: [number, number][];
  maxLength: number;
  vocab: string[];
  splits: Record<
    SceneSplit,
    {
      source: string;
      firstCrop: number;
      cropCount: number;
      sourceIndices: number[];
      scenes: [number, number, number][][];
      captions: string[];
    }
  >;
}

/** The verified crops, their classes and the composition records of fashion-scenes (or of `dir`). */
export function readSceneData(dir?: string): { crops: Uint8Array; cropLabels: Uint8Array; records: SceneRecords } {
  const data = readCropDataset<SceneRecords>('fashion-scenes', 'scenes.json.gz', dir);
  const { records, recordsFile } = data;
  for (const split of SCENE_SPLITS) {
    const s = records.splits?.[split];
    checkSceneRecords(recordsFile, split, s?.scenes, data.crops.length / (CELL * CELL), records.colours.length);
    if (s.captions?.length !== s.scenes.length)
      throw new DatasetError(
        recordsFile,
        `wrong format: split '${split}' has ${s.captions?.length} captions for ${s.scenes.length} scenes`,
      );
  }
  return data;
}

/** What {@link loadFashionScenes} returns. */
export interface FashionScenes {
  /** [N, 56, 56, 3] float32 in [0, 1]. */
  images: tf.Tensor4D;
  /** [N, L] int32: `<START>` words `<END>` then `<NULL>` (= 0) padding; L is the same for every split. */
  captions: tf.Tensor2D;
  captionTexts: string[];
  /** Structured labels of each scene's items (for pre-training and checking). */
  items: SceneItem[][];
  wordToIdx: Record<string, number>;
  idxToWord: string[];
  colourNames: string[];
  itemNames: string[];
  /** [colour, item] pairs never shown in train/val/test (each novel scene has at least one). */
  heldOutPairs: [number, number][];
}

/**
 * Loads one split of the captioned scenes (checksums and formats verified; images rendered
 * by {@link renderScene}). `limit` keeps the first `limit` scenes.
 */
export function loadFashionScenes(opts: { split: SceneSplit; limit?: number; dir?: string }): FashionScenes {
  const keep = checkLoaderOptions('loadFashionScenes', opts, SCENE_SPLITS);
  const { crops, cropLabels, records } = readSceneData(opts.dir);
  const split = records.splits[opts.split];
  const N = keep(split.scenes.length);
  return assembleScenes(crops, cropLabels, records, split.scenes.slice(0, N), split.captions.slice(0, N));
}

/**
 * Renders placed crops ([crop, colour, cell] per item, one list per scene) into the
 * {@link FashionScenes} form, with the captions encoded in the dataset's vocabulary.
 */
export function assembleScenes(
  crops: Uint8Array,
  cropLabels: Uint8Array,
  records: SceneRecords,
  placed: readonly (readonly [number, number, number])[][],
  captionTexts: string[],
): FashionScenes {
  checkArgs('assembleScenes').require(
    Array.isArray(placed) && Array.isArray(captionTexts) && placed.length === captionTexts.length,
    `arguments 'placed' and 'captionTexts' expected one caption per scene but got ` +
      `${placed?.length} scenes and ${captionTexts?.length} captions`,
  );
  const cropCount = cropLabels.length;
  placed.forEach((scene, n) =>
    scene.forEach(([crop, colour, cell], k) =>
      checkArgs('assembleScenes').require(
        Number.isInteger(crop) &&
          crop >= 0 &&
          crop < cropCount &&
          Number.isInteger(colour) &&
          colour >= 0 &&
          colour < records.colours.length &&
          Number.isInteger(cell) &&
          cell >= 0 &&
          cell < 4,
        `argument 'placed[${n}][${k}]' expected [crop < ${cropCount}, colour < ${records.colours.length}, ` +
          `cell < 4] but got [${crop}, ${colour}, ${cell}]`,
      ),
    ),
  );
  const N = placed.length;
  const pixels = new Float32Array(N * SCENE * SCENE * 3);
  const items: SceneItem[][] = [];
  for (let n = 0; n < N; n++) {
    const cells = placed[n].map(([crop, colour, cell]) => ({ crop, colour, cell }));
    pixels.set(renderScene(crops, cells), n * SCENE * SCENE * 3);
    items.push(cells.map((c) => ({ item: cropLabels[c.crop], colour: c.colour, cell: c.cell })));
  }
  const idxToWord = [...records.vocab];
  const wordToIdx: Record<string, number> = {};
  idxToWord.forEach((w, i) => (wordToIdx[w] = i));
  return {
    images: tf.tensor4d(pixels, [N, SCENE, SCENE, 3], 'float32'),
    captions: tf.tensor2d(encodeCaptions(captionTexts, wordToIdx, records.maxLength), [N, records.maxLength], 'int32'),
    captionTexts,
    items,
    wordToIdx,
    idxToWord,
    colourNames: [...records.colours],
    itemNames: [...records.items],
    heldOutPairs: records.heldOutPairs.map(([c, i]) => [c, i] as [number, number]),
  };
}

/** What {@link loadFashionCells} returns: single 28×28 tinted items cut from a split's scenes. */
export interface FashionCells {
  /** [N, 28, 28, 3] float32 in [0, 1]. */
  images: tf.Tensor4D;
  /** [N] int32 Fashion-MNIST class. */
  items: tf.Tensor1D;
  /** [N] int32 tint colour index. */
  colours: tf.Tensor1D;
  itemNames: string[];
  colourNames: string[];
}

/** Every item of a split's scenes as its own tinted 28×28 image with (item, colour) labels, in scene order. */
export function loadFashionCells(opts: { split: SceneSplit; limit?: number; dir?: string }): FashionCells {
  const keep = checkLoaderOptions('loadFashionCells', opts, SCENE_SPLITS);
  const { crops, cropLabels, records } = readSceneData(opts.dir);
  const placed = records.splits[opts.split].scenes.flat();
  const N = keep(placed.length);
  const pixels = new Float32Array(N * CELL * CELL * 3);
  const items = new Int32Array(N);
  const colours = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const [crop, colour] = placed[n];
    pixels.set(renderTintedItem(crops, crop, colour), n * CELL * CELL * 3);
    items[n] = cropLabels[crop];
    colours[n] = colour;
  }
  return {
    images: tf.tensor4d(pixels, [N, CELL, CELL, 3], 'float32'),
    items: tf.tensor1d(items, 'int32'),
    colours: tf.tensor1d(colours, 'int32'),
    itemNames: [...records.items],
    colourNames: [...records.colours],
  };
}
