/**
 * Checkpoints of the caption decoders in the project's one shipped-weights format
 * (lib/data/shippedWeights.ts: `weights.bin` + a manifest with sha256), so a notebook can skip
 * retraining when asked to. The manifest adds
 *
 *   key   what was trained (model and training settings): a load under another key is refused
 *   meta  the caller's record of the run (e.g. its loss history)
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { readShippedWeights, writeShippedWeights, type ShippedWeightsManifest } from '../../data/shippedWeights';

const FORMAT = 'backprop-lab-captioner-1';

interface CaptionerManifest<M> extends ShippedWeightsManifest {
  key: string;
  meta: M;
}

/** True when `BACKPROP_REUSE_CHECKPOINTS=1`: notebooks then load saved weights instead of training. */
export function reuseCheckpointsRequested(): boolean {
  return ['1', 'true', 'yes'].includes((process.env.BACKPROP_REUSE_CHECKPOINTS ?? '').trim().toLowerCase());
}

/** Writes `params` (and `key`, `meta`) to the checkpoint folder `dir` (created). */
export function saveCheckpoint<M>(dir: string, key: string, params: Record<string, tf.Tensor>, meta: M): void {
  checkArgs('saveCheckpoint').require(typeof key === 'string', "argument 'key' expected a string");
  writeShippedWeights<CaptionerManifest<M>>('saveCheckpoint', dir, FORMAT, params, { key, meta });
}

/**
 * Loads the checkpoint folder `dir` into `params` (assigning each variable) and returns its
 * metadata; returns null when there is no checkpoint or it was saved under another `key` (so the
 * model must be retrained). Throws when the files are damaged, or a parameter is missing or has
 * another shape.
 */
export function loadCheckpoint<M>(dir: string, key: string, params: Record<string, tf.Variable>): M | null {
  const c = checkArgs('loadCheckpoint').require(
    typeof dir === 'string' && dir.length > 0,
    "argument 'dir' expected a folder path",
  );
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) return null;
  const { manifest, params: stored } = readShippedWeights<CaptionerManifest<M>>(dir, FORMAT);
  if (manifest.key !== key) return null;
  for (const [name, v] of Object.entries(params)) {
    const s = stored.get(name);
    c.require(s !== undefined, `${dir} has no parameter '${name}'`);
    c.require(
      s!.shape.length === v.shape.length && s!.shape.every((d, i) => d === v.shape[i]),
      `${dir}: '${name}' has shape [${s!.shape}] but the model's is [${v.shape}]`,
    );
  }
  for (const [name, v] of Object.entries(params)) {
    const s = stored.get(name)!;
    const t = tf.tensor(s.values, s.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
  return manifest.meta;
}
