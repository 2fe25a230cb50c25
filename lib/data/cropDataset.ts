/**
 * The common layout of the shipped Fashion-MNIST derived datasets: `crops.idx3-ubyte.gz`
 * (uint8 [K, 28, 28]), `crop-labels.idx1-ubyte.gz` (uint8 [K]) and one gzip JSON file of
 * composition records — read, verified and cross-checked in one place.
 */
import { checkArgs } from '../core/validate';
import { DatasetError } from './datasetError';
import { datasetDir, readIdxGz, readJsonGz, readManifest } from './datasetFiles';
import { CELL } from './render';

export interface CropDataset<R> {
  folder: string;
  /** K·784 uint8 crop pixels. */
  crops: Uint8Array;
  /** K Fashion-MNIST classes. */
  cropLabels: Uint8Array;
  records: R;
  /** Path of the records file (for error messages). */
  recordsFile: string;
}

/**
 * Validates a loader's options — `split` one of `splits` (when given), `limit` a positive
 * integer — and returns how to cap a split's record count at `limit`.
 */
export function checkLoaderOptions<S extends string>(
  fn: string,
  opts: { split?: S; limit?: number } | undefined,
  splits?: readonly S[],
): (available: number) => number {
  const check = checkArgs(fn);
  if (splits)
    check.require(splits.includes(opts?.split as S), `split must be one of ${splits.join(', ')}, got ${opts?.split}`);
  if (opts?.limit !== undefined) check.number('limit', opts.limit, { integer: true, min: 1 });
  return (available) => Math.min(opts?.limit ?? available, available);
}

/** Reads dataset `name` (or the folder `dir`): verified crops, labels and records. */
export function readCropDataset<R>(name: string, recordsName: string, dir?: string): CropDataset<R> {
  const folder = datasetDir(name, dir);
  const manifest = readManifest(folder);
  const crops = readIdxGz(folder, manifest, 'crops.idx3-ubyte.gz');
  const labels = readIdxGz(folder, manifest, 'crop-labels.idx1-ubyte.gz');
  const records = readJsonGz<R>(folder, manifest, recordsName);
  const K = crops.shape[0];
  if (crops.shape.length !== 3 || crops.shape[1] !== CELL || crops.shape[2] !== CELL) {
    throw new DatasetError(
      `${folder}/crops.idx3-ubyte.gz`,
      `wrong format: expected [K, 28, 28] crops, got [${crops.shape.join(', ')}]`,
    );
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== K || labels.data.some((l) => l > 9)) {
    throw new DatasetError(
      `${folder}/crop-labels.idx1-ubyte.gz`,
      `wrong format: expected ${K} labels in 0..9, got shape [${labels.shape.join(', ')}]`,
    );
  }
  return { folder, crops: crops.data, cropLabels: labels.data, records, recordsFile: `${folder}/${recordsName}` };
}

/**
 * Throws a DatasetError naming `file` unless every [crop, colour, cell] of `scenes` is in range with distinct cells.
 */
export function checkSceneRecords(
  file: string,
  split: string,
  scenes: unknown,
  crops: number,
  colours: number,
): asserts scenes is [number, number, number][][] {
  const ok =
    Array.isArray(scenes) &&
    scenes.every(
      (sc) =>
        Array.isArray(sc) &&
        new Set(sc.map((p: number[]) => p[2])).size === sc.length &&
        sc.every(
          (p: unknown) =>
            Array.isArray(p) &&
            p.length === 3 &&
            p[0] >= 0 &&
            p[0] < crops &&
            p[1] >= 0 &&
            p[1] < colours &&
            p[2] >= 0 &&
            p[2] < 4 &&
            p.every(Number.isInteger),
        ),
    );
  if (!ok)
    throw new DatasetError(
      file,
      `wrong format: split '${split}' is missing or has [crop, colour, cell] records out of range`,
    );
}
