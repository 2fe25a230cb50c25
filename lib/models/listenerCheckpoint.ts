/**
 * The shipped automatic listener: a trained {@link speechRecognizerForward} saved as raw
 * float32 weights (`weights.bin`, little-endian, parameters one after another) plus a
 * `manifest.json` with the config, the alphabet, the features it reads, each parameter's
 * name/shape/offset, the weights' byte size and sha256, and a summary of its training.
 * Loading checks size and checksum first, so a damaged file fails with a named
 * {@link DatasetError}, never as garbage transcripts later.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { DatasetError } from '../data/datasetError';
import { sha256 } from '../data/datasetFiles';
import { SpeechRecognizerConfig, SpeechRecognizerParams, initSpeechRecognizer } from './speechRecognizer';

export interface ListenerManifest {
  format: 'backprop-lab-listener-1';
  config: SpeechRecognizerConfig;
  /** Symbol of each output id (id 0 is the CTC blank). */
  alphabet: string[];
  /** What the listener reads, e.g. "40-dim log filterbank energies, 25 ms / 10 ms, per-utterance normalised". */
  features: string;
  weights: { file: string; bytes: number; sha256: string };
  params: { name: string; shape: number[]; offset: number }[];
  /** How it was trained and what it scored (written by the training script). */
  training: Record<string, unknown>;
}

/** The shipped listener's folder: `checkpoints/listener` in the backprop-lab package (found by walking up from this module). */
export function listenerDir(): string {
  let here = __dirname;
  for (;;) {
    const candidate = path.join(here, 'checkpoints', 'listener');
    if (fs.existsSync(path.join(candidate, 'manifest.json'))) return candidate;
    const up = path.dirname(here);
    if (up === here) throw new DatasetError('checkpoints/listener/manifest.json', `not found in any folder above ${__dirname} (train it with: npm run train -- listener)`);
    here = up;
  }
}

/** Writes `weights.bin` and `manifest.json` into `dir` (created); returns the manifest. */
export function saveListener(
  dir: string, params: SpeechRecognizerParams, info: Omit<ListenerManifest, 'format' | 'weights' | 'params'>,
): ListenerManifest {
  const c = checkArgs('saveListener').require(typeof dir === 'string' && dir.length > 0, "argument 'dir' expected a folder path");
  const entries = Object.entries(params);
  entries.forEach(([name, p]) => c.tensor(`params.${name}`, p, p instanceof tf.Tensor ? p.shape : [], 'float32'));
  const total = entries.reduce((s, [, p]) => s + p.size, 0);
  const values = new Float32Array(total);
  const layout: ListenerManifest['params'] = [];
  let offset = 0;
  for (const [name, p] of entries) {
    values.set(p.dataSync() as Float32Array, offset);
    layout.push({ name, shape: p.shape, offset });
    offset += p.size;
  }
  const bytes = new Uint8Array(values.buffer);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
  const manifest: ListenerManifest = {
    format: 'backprop-lab-listener-1',
    ...info,
    weights: { file: 'weights.bin', bytes: bytes.length, sha256: sha256(bytes) },
    params: layout,
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

/**
 * Loads a listener saved by {@link saveListener} (default: the shipped one, {@link listenerDir}).
 * Throws a {@link DatasetError} naming the file when the manifest or weights are missing,
 * truncated, corrupted or inconsistent with the config.
 */
export function loadListener(dir: string = listenerDir()): { params: SpeechRecognizerParams; manifest: ListenerManifest } {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new DatasetError(file, 'missing manifest (train the listener with: npm run train -- listener)');
  let manifest: ListenerManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as ListenerManifest;
  } catch (e) {
    throw new DatasetError(file, `wrong format: not JSON (${(e as Error).message})`);
  }
  if (manifest.format !== 'backprop-lab-listener-1' || !manifest.weights || !Array.isArray(manifest.params)) {
    throw new DatasetError(file, "wrong format: expected a 'backprop-lab-listener-1' manifest with weights and params");
  }
  const wfile = path.join(dir, manifest.weights.file);
  if (!fs.existsSync(wfile)) throw new DatasetError(wfile, 'missing weights file');
  const bytes = fs.readFileSync(wfile);
  if (bytes.length !== manifest.weights.bytes) {
    throw new DatasetError(wfile, `${bytes.length < manifest.weights.bytes ? 'truncated' : 'wrong size'}: ${bytes.length} bytes, manifest says ${manifest.weights.bytes}`);
  }
  const digest = sha256(bytes);
  if (digest !== manifest.weights.sha256) throw new DatasetError(wfile, `checksum mismatch: sha256 ${digest}, manifest says ${manifest.weights.sha256}`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const params = initSpeechRecognizer(manifest.config, 0);
  const names = Object.keys(params);
  const saved = new Map(manifest.params.map((p) => [p.name, p]));
  for (const name of names) {
    const p = saved.get(name);
    const want = params[name].shape;
    const size = want.reduce((a, b) => a * b, 1);
    if (!p || p.shape.join() !== want.join() || p.offset + size > values.length) {
      tf.dispose(Object.values(params));
      throw new DatasetError(file, `parameter '${name}' ${p ? `has shape [${p.shape}] at offset ${p.offset}` : 'is missing'}; the config needs [${want}]`);
    }
    const t = tf.tensor(values.subarray(p.offset, p.offset + size), want, 'float32');
    params[name].assign(t);
    t.dispose();
  }
  return { params, manifest };
}
