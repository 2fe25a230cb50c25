/**
 * Shipped checkpoints (`checkpoints/<name>/`): the one on-disk format of every model the project
 * trains with `npm run train -- <name>` and ships (the listener, the Tacotron 2 teacher, the
 * multimodal pre-trainings).
 *
 *   weights.bin    raw little-endian float32, the parameters one after another
 *   manifest.json  { format, …model-specific fields (config, vocabularies, training record),
 *                    weights: { file, bytes, sha256 }, params: [{ name, shape, offset }] }
 *
 * Reading checks, in order: the manifest exists and is JSON of the expected `format`, its
 * fields match its signature (lib/data/manifestSignature.ts), the weights file exists, has the
 * manifest's size and sha256, every parameter starts at a whole float32 offset, lies inside the
 * file, holds only finite values and overlaps no other —
 * so a damaged or foreign file fails with a {@link DatasetError} naming the file, never as
 * garbage output later.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { projectRoot } from '../core/projectRoot';
import { checkArgs } from '../core/validate';
import { DatasetError } from './datasetError';
import { sha256 } from './datasetFiles';
import { signManifest, verifyManifestSignature } from './manifestSignature';

/** What every shipped manifest holds besides its model-specific fields. */
export interface ShippedWeightsManifest {
  format: string;
  /** lib/data/manifestSignature.ts */
  manifestSha256?: string;
  weights: { file: string; bytes: number; sha256: string };
  params: { name: string; shape: number[]; offset: number }[];
}

/** One stored parameter: its shape and a view of its float32 values. */
export interface StoredParam {
  shape: number[];
  values: Float32Array;
}

/** `checkpoints/<name>` under the project root (lib/core/projectRoot.ts); a named error when it is missing. */
export function shippedCheckpointDir(name: string): string {
  checkArgs('shippedCheckpointDir').require(
    typeof name === 'string' && name.length > 0,
    "argument 'name' expected a checkpoint name",
  );
  const folder = path.join(projectRoot(), 'checkpoints', name);
  if (!fs.existsSync(path.join(folder, 'manifest.json'))) {
    throw new DatasetError(
      `checkpoints/${name}/manifest.json`,
      `not found in ${projectRoot()} (train it with: npm run train -- ${name})`,
    );
  }
  return folder;
}

/**
 * Writes `params` to `dir/weights.bin` and `info` plus the weights' layout, size and sha256 to
 * `dir/manifest.json` (the folder is created); returns the manifest. `fn` names the caller in
 * argument errors.
 */
export function writeShippedWeights<M extends ShippedWeightsManifest>(
  fn: string,
  dir: string,
  format: M['format'],
  params: Record<string, tf.Tensor>,
  info: Omit<M, 'format' | 'weights' | 'params'>,
): M {
  const c = checkArgs(fn).require(typeof dir === 'string' && dir.length > 0, "argument 'dir' expected a folder path");
  const entries = Object.entries(params);
  entries.forEach(([name, p]) => c.tensor(`params.${name}`, p, p instanceof tf.Tensor ? p.shape : [], 'float32'));
  const values = new Float32Array(entries.reduce((s, [, p]) => s + p.size, 0));
  const layout: ShippedWeightsManifest['params'] = [];
  let offset = 0;
  for (const [name, p] of entries) {
    values.set(p.dataSync() as Float32Array, offset);
    layout.push({ name, shape: p.shape, offset });
    offset += p.size;
  }
  const bytes = new Uint8Array(values.buffer);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
  const manifest = signManifest({
    format,
    ...info,
    weights: { file: 'weights.bin', bytes: bytes.length, sha256: sha256(bytes) },
    params: layout,
  }) as unknown as M;
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

/**
 * Reads and verifies a checkpoint written by {@link writeShippedWeights} with this `format`.
 * `hint` is appended to a missing-manifest error (e.g. the command that trains it).
 * @returns the manifest and each parameter by name
 */
export function readShippedWeights<M extends ShippedWeightsManifest>(
  dir: string,
  format: string,
  hint = '',
): { manifest: M; params: Map<string, StoredParam> } {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new DatasetError(file, `missing manifest${hint ? ` (${hint})` : ''}`);
  let manifest: M;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as M;
  } catch (e) {
    throw new DatasetError(file, `wrong format: not JSON (${(e as Error).message})`);
  }
  if (manifest?.format !== format || !manifest.weights || !Array.isArray(manifest.params)) {
    throw new DatasetError(file, `wrong format: expected a '${format}' manifest with weights and params`);
  }
  verifyManifestSignature(file, manifest);
  const wfile = path.join(dir, manifest.weights.file);
  if (!fs.existsSync(wfile)) throw new DatasetError(wfile, 'missing weights file');
  const bytes = fs.readFileSync(wfile);
  if (bytes.length !== manifest.weights.bytes) {
    throw new DatasetError(
      wfile,
      `${bytes.length < manifest.weights.bytes ? 'truncated' : 'wrong size'}: ${bytes.length} bytes, ` +
        `manifest says ${manifest.weights.bytes}`,
    );
  }
  const digest = sha256(bytes);
  if (digest !== manifest.weights.sha256)
    throw new DatasetError(wfile, `checksum mismatch: sha256 ${digest}, manifest says ${manifest.weights.sha256}`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const params = new Map<string, StoredParam>();
  for (const p of manifest.params) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(p.offset) || p.offset < 0)
      throw new DatasetError(
        file,
        `parameter '${p.name}' at offset ${p.offset}: not a whole, non-negative number of float32 values`,
      );
    if (p.offset + size > values.length) {
      throw new DatasetError(
        file,
        `parameter '${p.name}' [${p.shape}] at offset ${p.offset} runs past the ${values.length} stored values`,
      );
    }
    const stored = values.subarray(p.offset, p.offset + size);
    const bad = stored.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new DatasetError(wfile, `parameter '${p.name}' holds ${stored[bad]} at element ${bad}`);
    params.set(p.name, { shape: p.shape, values: stored });
  }
  const byOffset = [...manifest.params].sort((a, b) => a.offset - b.offset);
  byOffset.forEach((p, i) => {
    const end = p.offset + p.shape.reduce((a, b) => a * b, 1);
    const next = byOffset[i + 1];
    if (next !== undefined && end > next.offset) {
      throw new DatasetError(
        file,
        `parameters '${p.name}' and '${next.name}' overlap (offsets ${p.offset}, ${next.offset})`,
      );
    }
  });
  return { manifest, params };
}
