/**
 * Shipped pre-trained multimodal transformers (`checkpoints/multimodal-<tasks>/`, found with
 * `shippedCheckpointDir`) in the project's shipped-weights format (lib/models/shippedWeights.ts):
 * the manifest adds the encoder config, vocabularies, audio statistics and the training record
 * (loss curves, held-out CER and speaker accuracy). Loading checks size and checksum first: a
 * damaged file fails with a DatasetError.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { readShippedWeights, writeShippedWeights, type ShippedWeightsManifest } from '../../data/shippedWeights';
import type { MultimodalVocab } from './batch';
import { ownedVariable, type CrossModalEncoderConfig, type MultimodalParams } from './crossModalEncoder';

const MULTIMODAL_FORMAT = 'backprop-lab-multimodal-1';

export interface MultimodalCheckpointManifest extends ShippedWeightsManifest {
  format: typeof MULTIMODAL_FORMAT;
  config: CrossModalEncoderConfig;
  vocab: MultimodalVocab;
  stats: { mean: number[]; std: number[] };
  speakers: number;
  /** How it was trained and what it scored (written by the training script). */
  training: Record<string, unknown>;
}

/** Writes `weights.bin` and `manifest.json` into `dir`. */
export function saveMultimodalCheckpoint(
  dir: string,
  params: MultimodalParams,
  info: Omit<MultimodalCheckpointManifest, 'format' | 'weights' | 'params'>,
): MultimodalCheckpointManifest {
  return writeShippedWeights('saveMultimodalCheckpoint', dir, MULTIMODAL_FORMAT, params, info);
}

/** Loads a checkpoint written by {@link saveMultimodalCheckpoint} into fresh variables. */
export function loadMultimodalCheckpoint(dir: string): {
  params: MultimodalParams;
  manifest: MultimodalCheckpointManifest;
} {
  checkArgs('loadMultimodalCheckpoint').require(
    typeof dir === 'string' && dir.length > 0,
    "argument 'dir' expected a folder path",
  );
  const { manifest, params: stored } = readShippedWeights<MultimodalCheckpointManifest>(dir, MULTIMODAL_FORMAT);
  const params: MultimodalParams = {};
  for (const [name, p] of stored) params[name] = ownedVariable(tf.tensor(p.values, p.shape, 'float32'));
  return { params, manifest };
}

/** The vocabularies and audio statistics a checkpoint was trained with (what its fine-tuning must use). */
export function checkpointContext(manifest: MultimodalCheckpointManifest): {
  vocab: MultimodalVocab;
  stats: { mean: Float32Array; std: Float32Array };
} {
  checkArgs('checkpointContext').require(
    manifest?.format === MULTIMODAL_FORMAT,
    "argument 'manifest' expected a multimodal checkpoint manifest",
  );
  return {
    vocab: manifest.vocab,
    stats: { mean: Float32Array.from(manifest.stats.mean), std: Float32Array.from(manifest.stats.std) },
  };
}
