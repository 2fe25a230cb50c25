/**
 * Resumable training: everything a run needs to continue exactly where it stopped, written
 * every few minutes by the training loop (lib/train/trainLoop.ts, option `state`).
 *
 *   dir/weights.bin    the parameters and Adam's moments m, v (float32, in the shipped-weights format)
 *   dir/manifest.json  { format, step, adamT, record, weights, params }
 *
 * `step` is the last step whose update was applied and `adamT` Adam's step count; `record` is
 * the trainer's own JSON (its log lines, the best validation score so far, …). Nothing else is
 * stored, so a trainer that resumes exactly must draw its batches and any per-step randomness as
 * functions of (seed, step) — {@link stepRng} — and its learning rate as a schedule of the step.
 * A resumed run then ends with the same weights as an uninterrupted one (test/trainingState.test.ts).
 *
 * A state is written to `dir.tmp` and renamed over `dir`, so a run killed while writing leaves
 * the previous state intact.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random';
import { checkArgs } from '../core/validate';
import { readShippedWeights, writeShippedWeights, type ShippedWeightsManifest } from '../data/shippedWeights';
import type { Adam } from '../optim/adam';
import type { Params } from '../optim/optimizer';

const FORMAT = 'backprop-lab-training-state-1';

interface TrainingStateManifest extends ShippedWeightsManifest {
  step: number;
  adamT: number;
  record: unknown;
}

/** What {@link loadTrainingState} restores besides the tensors. */
export interface RestoredState<R> {
  step: number;
  record: R;
}

/**
 * A generator for step `step` of a run seeded `seed`: the same (seed, step) always gives the
 * same draws, whether the run was interrupted or not.
 */
export function stepRng(seed: number, step: number): Rng {
  checkArgs('stepRng').number('seed', seed, { integer: true }).number('step', step, { integer: true, min: 0 });
  return new Rng(((seed >>> 0) * 0x9e3779b1 + step * 0x85ebca6b) | 0);
}

/** Writes the state after `step` (params, Adam's m, v and t, the trainer's record) to `dir`. */
export function saveTrainingState(dir: string, params: Params, optimizer: Adam, step: number, record: unknown): void {
  checkArgs('saveTrainingState')
    .require(typeof dir === 'string' && dir.length > 0, "argument 'dir' expected a folder path")
    .number('step', step, { integer: true, min: 0 });
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, p] of Object.entries(params)) tensors[`param:${name}`] = p;
  for (const [name, m] of Object.entries(optimizer.m)) tensors[`adam.m:${name}`] = m;
  for (const [name, v] of Object.entries(optimizer.v)) tensors[`adam.v:${name}`] = v;
  const tmp = `${dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  writeShippedWeights<TrainingStateManifest>('saveTrainingState', tmp, FORMAT, tensors, {
    step,
    adamT: optimizer.t,
    record,
  });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(tmp, dir);
}

/** True when `dir` holds a training state. */
export function hasTrainingState(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'manifest.json'));
}

/**
 * Restores the state in `dir` into `params` (assigned) and `optimizer` (its m, v and t), and
 * returns the step reached and the trainer's record. A parameter missing from the state, or
 * stored with another shape, fails with the parameter named.
 */
export function loadTrainingState<R>(dir: string, params: Params, optimizer: Adam): RestoredState<R> {
  const { manifest, params: stored } = readShippedWeights<TrainingStateManifest>(dir, FORMAT);
  const c = checkArgs('loadTrainingState');
  const take = (key: string, like: tf.Tensor | undefined): tf.Tensor => {
    const s = stored.get(key);
    c.require(s !== undefined, `${dir} has no tensor '${key}'`);
    c.require(
      like === undefined || (s!.shape.length === like.shape.length && s!.shape.every((d, i) => d === like.shape[i])),
      `${dir}: '${key}' has shape [${s!.shape}] but the model's is [${like?.shape}]`,
    );
    return tf.tensor(s!.values, s!.shape, 'float32');
  };
  for (const [name, p] of Object.entries(params)) {
    const t = take(`param:${name}`, p);
    p.assign(t);
    t.dispose();
  }
  optimizer.dispose();
  for (const key of stored.keys()) {
    const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind !== 'adam.m' && kind !== 'adam.v') continue;
    const t = take(key, params[name]);
    (kind === 'adam.m' ? optimizer.m : optimizer.v)[name] = tf.variable(t, false);
    t.dispose();
  }
  optimizer.t = manifest.adamT;
  return { step: manifest.step, record: manifest.record as R };
}
