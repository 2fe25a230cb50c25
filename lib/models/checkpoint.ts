/**
 * Checkpoints of named parameters as JSON (shapes, float32 values and any metadata, such
 * as a loss history), so a notebook can skip retraining when asked to.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

interface CheckpointFile<M> {
  format: 'backprop-lab-checkpoint-1';
  /** Identifies what was trained (model and training settings); a load with another key is refused. */
  key: string;
  params: Record<string, { shape: number[]; values: number[] }>;
  meta: M;
}

/** True when `BACKPROP_REUSE_CHECKPOINTS=1`: notebooks then load saved weights instead of training. */
export function reuseCheckpointsRequested(): boolean {
  return ['1', 'true', 'yes'].includes((process.env.BACKPROP_REUSE_CHECKPOINTS ?? '').trim().toLowerCase());
}

/** Writes `params` (and `meta`) to `file` (directories created). */
export function saveCheckpoint<M>(file: string, key: string, params: Record<string, tf.Tensor>, meta: M): void {
  const c = checkArgs('saveCheckpoint').require(typeof file === 'string' && file.length > 0, "argument 'file' expected a path").require(typeof key === 'string', "argument 'key' expected a string");
  const out: CheckpointFile<M> = { format: 'backprop-lab-checkpoint-1', key, params: {}, meta };
  for (const [name, p] of Object.entries(params)) {
    c.tensor(`params.${name}`, p, p instanceof tf.Tensor ? p.shape : [], 'float32');
    out.params[name] = { shape: p.shape, values: Array.from(p.dataSync()) };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out));
}

/**
 * Loads `file` into `params` (assigning each variable) and returns its metadata; returns
 * null when the file does not exist or was saved under another `key` (so it must be retrained).
 * Throws when a parameter is missing or has another shape.
 */
export function loadCheckpoint<M>(file: string, key: string, params: Record<string, tf.Variable>): M | null {
  checkArgs('loadCheckpoint').require(typeof file === 'string' && file.length > 0, "argument 'file' expected a path");
  if (!fs.existsSync(file)) return null;
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as CheckpointFile<M>;
  if (saved.format !== 'backprop-lab-checkpoint-1' || saved.key !== key) return null;
  const c = checkArgs('loadCheckpoint');
  for (const [name, v] of Object.entries(params)) {
    const s = saved.params[name];
    c.require(s !== undefined, `${file} has no parameter '${name}'`);
    c.require(s.shape.length === v.shape.length && s.shape.every((d, i) => d === v.shape[i]), `${file}: '${name}' has shape [${s.shape}] but the model's is [${v.shape}]`);
  }
  for (const [name, v] of Object.entries(params)) {
    const t = tf.tensor(saved.params[name].values, saved.params[name].shape, 'float32');
    v.assign(t);
    t.dispose();
  }
  return saved.meta;
}
