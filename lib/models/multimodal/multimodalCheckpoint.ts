/**
 * Shipped pre-trained multimodal transformers (`checkpoints/multimodal-<tasks>/`): raw float32
 * weights (`weights.bin`, little-endian, parameters one after another) and a `manifest.json` with
 * the encoder config, vocabularies, audio statistics, each parameter's name/shape/offset, the
 * weights' byte size and sha256, and the training record (loss curves, held-out CER and speaker
 * accuracy). Loading checks size and checksum first: a damaged file fails with a DatasetError.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { DatasetError } from '../../data/datasetError';
import { sha256 } from '../../data/datasetFiles';
import type { MultimodalVocab } from './batch';
import { ownedVariable, type CrossModalEncoderConfig, type MultimodalParams } from './crossModalEncoder';

export interface MultimodalCheckpointManifest {
  format: 'backprop-lab-multimodal-1';
  config: CrossModalEncoderConfig;
  vocab: MultimodalVocab;
  stats: { mean: number[]; std: number[] };
  speakers: number;
  weights: { file: string; bytes: number; sha256: string };
  params: { name: string; shape: number[]; offset: number }[];
  /** How it was trained and what it scored (written by the training script). */
  training: Record<string, unknown>;
}

/** `checkpoints/<name>` in the backprop-lab package (found by walking up from this module). */
export function multimodalCheckpointDir(name: string): string {
  let here = __dirname;
  for (;;) {
    const candidate = path.join(here, 'checkpoints', name);
    if (fs.existsSync(path.join(candidate, 'manifest.json'))) return candidate;
    const up = path.dirname(here);
    if (up === here) throw new DatasetError(`checkpoints/${name}/manifest.json`, `not found above ${__dirname} (train it with: npm run train -- ${name})`);
    here = up;
  }
}

/** Writes `weights.bin` and `manifest.json` into `dir`. */
export function saveMultimodalCheckpoint(dir: string, params: MultimodalParams, info: Omit<MultimodalCheckpointManifest, 'format' | 'weights' | 'params'>): MultimodalCheckpointManifest {
  checkArgs('saveMultimodalCheckpoint').require(typeof dir === 'string' && dir.length > 0, "argument 'dir' expected a folder path");
  const entries = Object.entries(params);
  const values = new Float32Array(entries.reduce((s, [, p]) => s + p.size, 0));
  const layout: MultimodalCheckpointManifest['params'] = [];
  let offset = 0;
  for (const [name, p] of entries) {
    values.set(p.dataSync() as Float32Array, offset);
    layout.push({ name, shape: p.shape, offset });
    offset += p.size;
  }
  const bytes = new Uint8Array(values.buffer);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
  const manifest: MultimodalCheckpointManifest = { format: 'backprop-lab-multimodal-1', ...info, weights: { file: 'weights.bin', bytes: bytes.length, sha256: sha256(bytes) }, params: layout };
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
  return manifest;
}

/** Loads a checkpoint written by {@link saveMultimodalCheckpoint} into fresh variables. */
export function loadMultimodalCheckpoint(dir: string): { params: MultimodalParams; manifest: MultimodalCheckpointManifest } {
  checkArgs('loadMultimodalCheckpoint').require(typeof dir === 'string' && dir.length > 0, "argument 'dir' expected a folder path");
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new DatasetError(file, 'missing manifest');
  let manifest: MultimodalCheckpointManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as MultimodalCheckpointManifest;
  } catch (e) {
    throw new DatasetError(file, `wrong format: not JSON (${(e as Error).message})`);
  }
  if (manifest.format !== 'backprop-lab-multimodal-1' || !manifest.weights || !Array.isArray(manifest.params)) {
    throw new DatasetError(file, "wrong format: expected a 'backprop-lab-multimodal-1' manifest with weights and params");
  }
  const wfile = path.join(dir, manifest.weights.file);
  if (!fs.existsSync(wfile)) throw new DatasetError(wfile, 'missing weights file');
  const bytes = fs.readFileSync(wfile);
  if (bytes.length !== manifest.weights.bytes) throw new DatasetError(wfile, `${bytes.length < manifest.weights.bytes ? 'truncated' : 'wrong size'}: ${bytes.length} bytes, manifest says ${manifest.weights.bytes}`);
  const digest = sha256(bytes);
  if (digest !== manifest.weights.sha256) throw new DatasetError(wfile, `checksum mismatch: sha256 ${digest}, manifest says ${manifest.weights.sha256}`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const params: MultimodalParams = {};
  for (const p of manifest.params) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (p.offset + size > values.length) throw new DatasetError(file, `parameter '${p.name}' [${p.shape}] at offset ${p.offset} runs past the ${values.length} stored values`);
    params[p.name] = ownedVariable(tf.tensor(values.subarray(p.offset, p.offset + size), p.shape, 'float32'));
  }
  return { params, manifest };
}

/** The vocabularies and audio statistics a checkpoint was trained with (what its fine-tuning must use). */
export function checkpointContext(manifest: MultimodalCheckpointManifest): { vocab: MultimodalVocab; stats: { mean: Float32Array; std: Float32Array } } {
  checkArgs('checkpointContext').require(manifest?.format === 'backprop-lab-multimodal-1', "argument 'manifest' expected a multimodal checkpoint manifest");
  return { vocab: manifest.vocab, stats: { mean: Float32Array.from(manifest.stats.mean), std: Float32Array.from(manifest.stats.std) } };
}
