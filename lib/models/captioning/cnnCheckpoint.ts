/**
 * The shipped feature CNN of notebook 04 (checkpoints/captioning-cnn, made by
 * `npm run train -- captioning-cnn`) in the project's shipped-weights format
 * (lib/data/shippedWeights.ts). The classifier's weights are stored in the order
 * `getWeights()` lists them, as `w0`, `w1`, … (tfjs's own layer names depend on how many layers
 * a process has made); the manifest holds the sizes to rebuild it and the training record.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { DatasetError } from '../../data/datasetError';
import { readShippedWeights, shippedCheckpointDir, writeShippedWeights } from '../../data/shippedWeights';
import type { ShippedWeightsManifest } from '../../data/shippedWeights';
import { FeatureCnn, FeatureCnnSizes, buildFeatureCnn } from './featureExtractor';

const CNN_FORMAT = 'backprop-lab-feature-cnn-1';

export interface FeatureCnnManifest extends ShippedWeightsManifest {
  format: typeof CNN_FORMAT;
  sizes: FeatureCnnSizes;
  /** How it was trained (written by the training script). */
  training: Record<string, unknown>;
}

/** Writes the CNN's weights and sizes into `dir` (created); returns the manifest. */
export function saveFeatureCnn(dir: string, cnn: FeatureCnn, training: Record<string, unknown>): FeatureCnnManifest {
  checkArgs('saveFeatureCnn').require(
    cnn?.classifier instanceof tf.LayersModel && cnn.sizes !== undefined,
    "argument 'cnn' expected a FeatureCnn from buildFeatureCnn",
  );
  const weights = cnn.classifier.getWeights();
  return writeShippedWeights<FeatureCnnManifest>(
    'saveFeatureCnn',
    dir,
    CNN_FORMAT,
    Object.fromEntries(weights.map((w, i) => [`w${i}`, w])),
    { sizes: cnn.sizes, training },
  );
}

/**
 * Loads a CNN saved by {@link saveFeatureCnn} (default: the shipped checkpoints/captioning-cnn);
 * a {@link DatasetError} naming the file when it is missing, damaged or does not fit its sizes.
 */
export function loadFeatureCnn(dir: string = shippedCheckpointDir('captioning-cnn')): {
  cnn: FeatureCnn;
  manifest: FeatureCnnManifest;
} {
  const { manifest, params } = readShippedWeights<FeatureCnnManifest>(
    dir,
    CNN_FORMAT,
    'train it with: npm run train -- captioning-cnn',
  );
  const file = path.join(dir, 'manifest.json');
  if (!manifest.sizes) throw new DatasetError(file, `wrong format: a '${CNN_FORMAT}' manifest needs sizes`);
  if (manifest.sizes.finalPool !== 'average' && manifest.sizes.finalPool !== 'max')
    throw new DatasetError(file, `sizes.finalPool must be 'average' or 'max', not ${String(manifest.sizes.finalPool)}`);
  const cnn = buildFeatureCnn({ ...manifest.sizes, seed: 0 });
  const shapes = cnn.classifier.getWeights().map((w) => w.shape);
  const values = shapes.map((shape, i) => {
    const p = params.get(`w${i}`);
    if (!p || p.shape.join() !== shape.join()) {
      cnn.classifier.dispose();
      throw new DatasetError(file, `weight 'w${i}' ${p ? `has shape [${p.shape}]` : 'is missing'}; needs [${shape}]`);
    }
    return tf.tensor(p.values, shape, 'float32');
  });
  cnn.classifier.setWeights(values);
  tf.dispose(values);
  return { cnn, manifest };
}
