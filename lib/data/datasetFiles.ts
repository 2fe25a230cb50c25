/**
 * Reading a shipped dataset folder safely. Each folder under `datasets/` holds gzip files
 * and a `manifest.json` listing every file with its byte size and sha256. Every read
 * checks the size and checksum first and then the format, and fails with a
 * {@link DatasetError} naming the file — so a damaged download stops at load time,
 * never as a NaN later in training.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { projectRoot } from '../core/projectRoot';
import { DatasetError } from './datasetError';
import { IdxArray, encodeIdx, parseIdx } from './idx';
import { signManifest, verifyManifestSignature } from './manifestSignature';

/** One file of a dataset folder as listed in its manifest. */
export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
  /** `idx-gz`: gzip of an IDX array; `json-gz`: gzip of UTF-8 JSON; `wav`: a PCM WAV file (audio to listen to). */
  format: 'idx-gz' | 'json-gz' | 'wav';
  description: string;
}

/** The `manifest.json` of a dataset folder (signed: lib/data/manifestSignature.ts). */
export interface DatasetManifest {
  name: string;
  description: string;
  /** Repository path of the script that wrote the folder. */
  generator: string;
  seed: number;
  source: string;
  licence: string;
  counts: Record<string, number>;
  files: ManifestFile[];
  /** lib/data/manifestSignature.ts */
  manifestSha256?: string;
}

/** Hex sha256 of some bytes. */
export function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/**
 * The folder of dataset `name`: `dir` when given, otherwise `datasets/<name>` under the project
 * root (lib/core/projectRoot.ts).
 */
export function datasetDir(name: string, dir?: string): string {
  if (dir !== undefined) return dir;
  const folder = path.join(projectRoot(), 'datasets', name);
  if (!fs.existsSync(path.join(folder, 'manifest.json')))
    throw new DatasetError(`datasets/${name}/manifest.json`, `not found in ${projectRoot()}`);
  return folder;
}

/** Reads and checks `manifest.json` of a dataset folder: JSON, its file list, its signature. */
export function readManifest(dir: string): DatasetManifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new DatasetError(file, 'missing manifest');
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as DatasetManifest;
  } catch (e) {
    throw new DatasetError(file, `wrong format: not JSON (${(e as Error).message})`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new DatasetError(file, `wrong format: expected a JSON object but got ${JSON.stringify(manifest)}`);
  }
  if (
    !Array.isArray(manifest.files) ||
    manifest.files.some(
      (f) =>
        f === null ||
        typeof f !== 'object' ||
        typeof f.name !== 'string' ||
        typeof f.sha256 !== 'string' ||
        typeof f.bytes !== 'number',
    )
  ) {
    throw new DatasetError(file, 'wrong format: `files` must list { name, bytes, sha256 }');
  }
  verifyManifestSignature(file, manifest);
  return manifest;
}

/** The bytes of one listed file, after checking its size and sha256 against the manifest. */
export function readVerified(dir: string, manifest: DatasetManifest, name: string): Buffer {
  const entry = manifest.files.find((f) => f.name === name);
  const file = path.join(dir, name);
  if (!entry) throw new DatasetError(file, `not listed in ${path.join(dir, 'manifest.json')}`);
  if (!fs.existsSync(file)) throw new DatasetError(file, 'missing file');
  const bytes = fs.readFileSync(file);
  if (bytes.length !== entry.bytes) {
    throw new DatasetError(
      file,
      `${bytes.length < entry.bytes ? 'truncated' : 'wrong size'}: ${bytes.length} bytes, manifest says ${entry.bytes}`,
    );
  }
  const digest = sha256(bytes);
  if (digest !== entry.sha256)
    throw new DatasetError(file, `checksum mismatch: sha256 ${digest}, manifest says ${entry.sha256}`);
  return bytes;
}

function gunzip(bytes: Buffer, file: string): Buffer {
  try {
    return zlib.gunzipSync(bytes);
  } catch (e) {
    throw new DatasetError(file, `wrong format: not a complete gzip stream (${(e as Error).message})`);
  }
}

/** A verified gzip IDX file of a dataset folder. */
export function readIdxGz(dir: string, manifest: DatasetManifest, name: string): IdxArray {
  const file = path.join(dir, name);
  return parseIdx(gunzip(readVerified(dir, manifest, name), file), file);
}

/** A verified gzip JSON file of a dataset folder. */
export function readJsonGz<T>(dir: string, manifest: DatasetManifest, name: string): T {
  const file = path.join(dir, name);
  const text = gunzip(readVerified(dir, manifest, name), file).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new DatasetError(file, `wrong format: not JSON (${(e as Error).message})`);
  }
}

/** Gzip bytes of an IDX array (what generation scripts write). Deterministic: no name or time in the header. */
export function gzipIdx(array: IdxArray): Buffer {
  return zlib.gzipSync(encodeIdx(array), { level: 9 });
}

/** Gzip bytes of a JSON value. */
export function gzipJson(value: unknown): Buffer {
  return zlib.gzipSync(Buffer.from(JSON.stringify(value), 'utf8'), { level: 9 });
}

/**
 * Writes `files` into `dir` and a signed `manifest.json` listing their sizes and sha256
 * (used by the generation scripts in `scripts/datasets/`).
 */
export function writeDataset(
  dir: string,
  meta: Omit<DatasetManifest, 'files'>,
  files: { name: string; bytes: Buffer; format: ManifestFile['format']; description: string }[],
): DatasetManifest {
  fs.mkdirSync(dir, { recursive: true });
  const listed: ManifestFile[] = files.map((f) => {
    fs.writeFileSync(path.join(dir, f.name), f.bytes);
    return {
      name: f.name,
      bytes: f.bytes.length,
      sha256: sha256(f.bytes),
      format: f.format,
      description: f.description,
    };
  });
  const manifest: DatasetManifest = signManifest({ ...meta, files: listed });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
