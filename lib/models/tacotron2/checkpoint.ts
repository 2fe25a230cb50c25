/**
 * Shipped Tacotron checkpoints (checkpoints/tacotron-teacher, …): raw little-endian float32
 * weights (`weights.bin`: the parameters, then the batch-norm statistics) and a `manifest.json`
 * with the config, the mel normalisation, each tensor's name/shape/offset, the weights' byte
 * size and sha256, and the training record. Loading checks size and checksum before reading a
 * weight, so a damaged file fails with a named {@link DatasetError}.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { DatasetError } from '../../data/datasetError';
import { sha256 } from '../../data/datasetFiles';
import { Tacotron2, Tacotron2Config, disposeTacotron2, initTacotron2 } from './config';

export interface TacotronManifest {
  format: 'backprop-lab-tacotron-1';
  config: Tacotron2Config;
  melNorm: { mean: number; std: number };
  weights: { file: string; bytes: number; sha256: string };
  tensors: { name: string; shape: number[]; offset: number }[];
  /** How it was trained (written by the training script). */
  training: Record<string, unknown>;
}

/** The shipped checkpoint folder `checkpoints/<name>` of the backprop-lab package (found by walking up from this module). */
export function tacotronCheckpointDir(name = 'tacotron-teacher'): string {
  let here = __dirname;
  for (;;) {
    const candidate = path.join(here, 'checkpoints', name);
    if (fs.existsSync(path.join(candidate, 'manifest.json'))) return candidate;
    const up = path.dirname(here);
    if (up === here) throw new DatasetError(`checkpoints/${name}/manifest.json`, `not found in any folder above ${__dirname} (train it with: npm run train -- ${name})`);
    here = up;
  }
}

/**
 * The Loss_f curve a training log records (lines `step K: Loss_f X …`), over every stage in
 * order: a continued run's `[earlier run]` lines come first, and each later stage's steps are
 * numbered on from where the one before ended.
 */
export function tacotronLogCurve(dir: string = tacotronCheckpointDir()): { step: number; lossF: number; stage: number }[] {
  const file = path.join(dir, 'training-log.txt');
  if (!fs.existsSync(file)) throw new DatasetError(file, 'missing training log');
  const lines = fs.readFileSync(file, 'utf8').split('\n').flatMap((line) => {
    const m = /^((?:\[earlier run\] )*)step (\d+): Loss_f ([0-9.eE+-]+)/.exec(line);
    return m ? [{ depth: m[1].length / '[earlier run] '.length, step: Number(m[2]), lossF: Number(m[3]) }] : [];
  });
  const maxDepth = Math.max(0, ...lines.map((l) => l.depth));
  const out: { step: number; lossF: number; stage: number }[] = [];
  let offset = 0;
  for (const [i, l] of lines.entries()) {
    if (i > 0 && l.depth !== lines[i - 1].depth) offset = out[i - 1].step;
    out.push({ step: offset + l.step, lossF: l.lossF, stage: maxDepth - l.depth });
  }
  if (out.length === 0) throw new DatasetError(file, "wrong format: no 'step K: Loss_f X' lines");
  return out;
}

const tensorsOf = (m: Tacotron2): [string, tf.Tensor][] => [...Object.entries(m.params), ...Object.entries(m.bnStats)];

/** Writes `weights.bin` and `manifest.json` of `model` into `dir` (created); returns the manifest. */
export function saveTacotron(dir: string, model: Tacotron2, training: Record<string, unknown>): TacotronManifest {
  checkArgs('saveTacotron').require(typeof dir === 'string' && dir.length > 0, "argument 'dir' expected a folder path")
    .require(model?.params !== undefined && model.bnStats !== undefined, "argument 'model' expected a Tacotron2");
  const entries = tensorsOf(model);
  const values = new Float32Array(entries.reduce((s, [, t]) => s + t.size, 0));
  const tensors: TacotronManifest['tensors'] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    values.set(t.dataSync() as Float32Array, offset);
    tensors.push({ name, shape: t.shape, offset });
    offset += t.size;
  }
  const bytes = new Uint8Array(values.buffer);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
  const manifest: TacotronManifest = {
    format: 'backprop-lab-tacotron-1', config: model.config, melNorm: model.melNorm,
    weights: { file: 'weights.bin', bytes: bytes.length, sha256: sha256(bytes) }, tensors, training,
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

/**
 * Loads a Tacotron saved by {@link saveTacotron} (default: the shipped teacher). Throws a
 * {@link DatasetError} naming the file when the manifest or the weights are missing,
 * truncated, corrupted or do not fit the config.
 */
export function loadTacotron(dir: string = tacotronCheckpointDir()): { model: Tacotron2; manifest: TacotronManifest } {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new DatasetError(file, 'missing manifest (train it with: npm run train -- tacotron-teacher)');
  let manifest: TacotronManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as TacotronManifest;
  } catch (e) {
    throw new DatasetError(file, `wrong format: not JSON (${(e as Error).message})`);
  }
  if (manifest?.format !== 'backprop-lab-tacotron-1' || !manifest.weights || !Array.isArray(manifest.tensors) || !manifest.config || !manifest.melNorm) {
    throw new DatasetError(file, "wrong format: expected a 'backprop-lab-tacotron-1' manifest with config, melNorm, weights and tensors");
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
  const model = initTacotron2(manifest.config, 0, manifest.melNorm);
  const saved = new Map(manifest.tensors.map((t) => [t.name, t]));
  for (const [name, v] of [...Object.entries(model.params), ...Object.entries(model.bnStats)] as [string, tf.Variable][]) {
    const t = saved.get(name);
    if (!t || t.shape.join() !== v.shape.join() || t.offset + v.size > values.length) {
      disposeTacotron2(model);
      throw new DatasetError(file, `tensor '${name}' ${t ? `has shape [${t.shape}] at offset ${t.offset}` : 'is missing'}; the config needs [${v.shape}]`);
    }
    const x = tf.tensor(values.subarray(t.offset, t.offset + v.size), v.shape, 'float32');
    v.assign(x);
    x.dispose();
  }
  return { model, manifest };
}
