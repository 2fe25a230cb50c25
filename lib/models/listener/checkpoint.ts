/**
 * The shipped automatic listener: a trained {@link speechRecognizerForward} in the project's
 * shipped-weights format (lib/models/shippedWeights.ts), whose manifest adds the config, the
 * alphabet, the features it reads and a summary of its training.
 * Loading checks size and checksum first, so a damaged file fails with a named
 * {@link DatasetError}, never as garbage transcripts later.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { DatasetError } from '../../data/datasetError';
import {
  readShippedWeights,
  shippedCheckpointDir,
  writeShippedWeights,
  type ShippedWeightsManifest,
} from '../../data/shippedWeights';
import { SpeechRecognizerConfig, SpeechRecognizerParams, initSpeechRecognizer } from './recognizer';

const LISTENER_FORMAT = 'backprop-lab-listener-1';

export interface ListenerManifest extends ShippedWeightsManifest {
  format: typeof LISTENER_FORMAT;
  config: SpeechRecognizerConfig;
  /** Symbol of each output id (id 0 is the CTC blank). */
  alphabet: string[];
  /** What the listener reads, e.g. "40-dim log filterbank energies, 25 ms / 10 ms, per-utterance normalised". */
  features: string;
  /** How it was trained and what it scored (written by the training script). */
  training: Record<string, unknown>;
}

/** The shipped listener's folder: `checkpoints/listener` in the backprop-lab package. */
export function listenerDir(): string {
  return shippedCheckpointDir('listener');
}

/** Writes `weights.bin` and `manifest.json` into `dir` (created); returns the manifest. */
export function saveListener(
  dir: string,
  params: SpeechRecognizerParams,
  info: Omit<ListenerManifest, 'format' | 'weights' | 'params'>,
): ListenerManifest {
  return writeShippedWeights('saveListener', dir, LISTENER_FORMAT, params, info);
}

/**
 * Loads a listener saved by {@link saveListener} (default: the shipped one, {@link listenerDir}).
 * Throws a {@link DatasetError} naming the file when the manifest or weights are missing,
 * truncated, corrupted or inconsistent with the config.
 */
export function loadListener(dir: string = listenerDir()): {
  params: SpeechRecognizerParams;
  manifest: ListenerManifest;
} {
  const { manifest, params: stored } = readShippedWeights<ListenerManifest>(
    dir,
    LISTENER_FORMAT,
    'train the listener with: npm run train -- listener',
  );
  if (!Array.isArray(manifest.alphabet) || manifest.alphabet.length !== manifest.config?.vocabSize) {
    throw new DatasetError(
      path.join(dir, 'manifest.json'),
      `the alphabet has ${manifest.alphabet?.length} symbols ` +
        `but the config's vocabSize is ${manifest.config?.vocabSize}`,
    );
  }
  const params = initSpeechRecognizer(manifest.config, 0);
  for (const [name, v] of Object.entries(params)) {
    const p = stored.get(name);
    if (!p || p.shape.join() !== v.shape.join()) {
      tf.dispose(Object.values(params));
      throw new DatasetError(
        path.join(dir, 'manifest.json'),
        `parameter '${name}' ${p ? `has shape [${p.shape}]` : 'is missing'}; the config needs [${v.shape}]`,
      );
    }
    const t = tf.tensor(p.values, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
  return { params, manifest };
}
