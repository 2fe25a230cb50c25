/**
 * Shipped Tacotron checkpoints (checkpoints/tacotron-teacher, …) in the project's shipped-weights
 * format (lib/data/shippedWeights.ts: the parameters, then the batch-norm statistics), whose
 * manifest adds the config, the mel normalisation and the training record. Loading checks size
 * and checksum before reading a weight, so a damaged file fails with a named {@link DatasetError}.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { DatasetError } from '../../data/datasetError';
import {
  readShippedWeights,
  shippedCheckpointDir,
  writeShippedWeights,
  type ShippedWeightsManifest,
} from '../../data/shippedWeights';
import { Tacotron2, Tacotron2Config, disposeTacotron2, initTacotron2 } from './config';

const TACOTRON_FORMAT = 'backprop-lab-tacotron-1';

export interface TacotronManifest extends ShippedWeightsManifest {
  format: typeof TACOTRON_FORMAT;
  config: Tacotron2Config;
  melNorm: { mean: number; std: number };
  /** How it was trained (written by the training script). */
  training: Record<string, unknown>;
}

/** The shipped checkpoint folder `checkpoints/<name>` (default: the teacher). */
export function tacotronCheckpointDir(name = 'tacotron-teacher'): string {
  return shippedCheckpointDir(name);
}

/**
 * Writes `weights.bin` and `manifest.json` of `model` (parameters, then batch-norm statistics) into `dir` (created);
 * returns the manifest.
 */
export function saveTacotron(dir: string, model: Tacotron2, training: Record<string, unknown>): TacotronManifest {
  checkArgs('saveTacotron').require(
    model?.params !== undefined && model.bnStats !== undefined,
    "argument 'model' expected a Tacotron2",
  );
  return writeShippedWeights<TacotronManifest>(
    'saveTacotron',
    dir,
    TACOTRON_FORMAT,
    { ...model.params, ...model.bnStats },
    { config: model.config, melNorm: model.melNorm, training },
  );
}

/**
 * Loads a Tacotron saved by {@link saveTacotron} (default: the shipped teacher). Throws a
 * {@link DatasetError} naming the file when the manifest or the weights are missing,
 * truncated, corrupted or do not fit the config.
 */
export function loadTacotron(dir: string = tacotronCheckpointDir()): { model: Tacotron2; manifest: TacotronManifest } {
  const { manifest, params: stored } = readShippedWeights<TacotronManifest>(
    dir,
    TACOTRON_FORMAT,
    'train it with: npm run train -- tacotron-teacher',
  );
  const file = path.join(dir, 'manifest.json');
  if (!manifest.config || !manifest.melNorm)
    throw new DatasetError(file, `wrong format: a '${TACOTRON_FORMAT}' manifest needs config and melNorm`);
  // Checkpoints saved before phone input existed read characters.
  const config = { ...manifest.config, symbols: manifest.config.symbols ?? 'characters' };
  const model = initTacotron2(config, 0, manifest.melNorm);
  for (const [name, v] of [...Object.entries(model.params), ...Object.entries(model.bnStats)] as [
    string,
    tf.Variable,
  ][]) {
    const t = stored.get(name);
    if (!t || t.shape.join() !== v.shape.join()) {
      disposeTacotron2(model);
      throw new DatasetError(
        file,
        `tensor '${name}' ${t ? `has shape [${t.shape}]` : 'is missing'}; the config needs [${v.shape}]`,
      );
    }
    const x = tf.tensor(t.values, v.shape, 'float32');
    v.assign(x);
    x.dispose();
  }
  return { model, manifest };
}
