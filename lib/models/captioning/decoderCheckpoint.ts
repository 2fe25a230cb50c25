/**
 * The shipped caption decoders of notebook 04 (checkpoints/captioning-<decoder>-seed<K>, made by
 * `npm run train -- captioning`) in the project's shipped-weights format
 * (lib/data/shippedWeights.ts). The manifest holds what rebuilds the model (cell type, sizes,
 * vocabulary), the sha256 of the feature CNN whose features it read (a decoder trained on another
 * CNN's features is refused), the standardisation of those features it was trained with and the
 * training record.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { DatasetError } from '../../data/datasetError';
import { readShippedWeights, shippedCheckpointDir, writeShippedWeights } from '../../data/shippedWeights';
import type { ShippedWeightsManifest } from '../../data/shippedWeights';
import { CAPTION_CELL_TYPES, CaptionCellType, CaptioningRNN } from './captioningRnn';
import type { FeatureCnnManifest } from './cnnCheckpoint';
import { FeatureScaling, isFeatureScaling } from './featureScaling';

const DECODER_FORMAT = 'backprop-lab-caption-decoder-1';

export interface CaptionDecoderManifest extends ShippedWeightsManifest {
  format: typeof DECODER_FORMAT;
  cellType: CaptionCellType;
  seed: number;
  sizes: { inputDim: number; wordvecDim: number; hiddenDim: number };
  idxToWord: string[];
  /** The sha256 of the feature CNN's weights (its manifest's `weights.sha256`). */
  cnnWeightsSha256: string;
  /** The per-channel standardisation of the CNN's features it was trained with (./featureScaling.ts). */
  featureScaling: FeatureScaling;
  /** How it was trained (written by the training script). */
  training: Record<string, unknown>;
}

/** The folder name of a shipped decoder: `captioning-attention-seed1`. */
export function decoderCheckpointName(cellType: CaptionCellType, seed: number): string {
  checkArgs('decoderCheckpointName')
    .require(
      CAPTION_CELL_TYPES.includes(cellType),
      `argument 'cellType' expected one of ${CAPTION_CELL_TYPES.join(', ')} but got ${String(cellType)}`,
    )
    .number('seed', seed, { integer: true });
  return `captioning-${cellType}-seed${seed}`;
}

/** Writes `model`'s parameters and what rebuilds it into `dir` (created); returns the manifest. */
export function saveCaptionDecoder(
  dir: string,
  model: CaptioningRNN,
  info: {
    seed: number;
    inputDim: number;
    wordvecDim: number;
    cnn: FeatureCnnManifest;
    featureScaling: FeatureScaling;
    training: Record<string, unknown>;
  },
): CaptionDecoderManifest {
  checkArgs('saveCaptionDecoder')
    .require(model instanceof CaptioningRNN, "argument 'model' expected a CaptioningRNN")
    .require(typeof info?.cnn?.weights?.sha256 === 'string', "argument 'info.cnn' expected the feature CNN's manifest")
    .require(
      isFeatureScaling(info.featureScaling),
      "argument 'info.featureScaling' expected { mean, std } of equal length (std > 0)",
    );
  return writeShippedWeights<CaptionDecoderManifest>('saveCaptionDecoder', dir, DECODER_FORMAT, model.params, {
    cellType: model.cellType,
    seed: info.seed,
    sizes: { inputDim: info.inputDim, wordvecDim: info.wordvecDim, hiddenDim: model.dims.H },
    idxToWord: [...model.idxToWord],
    cnnWeightsSha256: info.cnn.weights.sha256,
    featureScaling: { mean: [...info.featureScaling.mean], std: [...info.featureScaling.std] },
    training: info.training,
  });
}

/**
 * A decoder saved by {@link saveCaptionDecoder}: `where` is its folder, or { cellType, seed } for
 * the shipped checkpoints/<decoderCheckpointName>; `cnn` is the manifest of the feature CNN whose
 * features it will read. A {@link DatasetError} naming the file when it is missing, damaged, made
 * for another CNN or does not fit its sizes.
 */
export function loadCaptionDecoder(
  where: string | { cellType: CaptionCellType; seed: number },
  cnn: FeatureCnnManifest,
): { model: CaptioningRNN; manifest: CaptionDecoderManifest } {
  checkArgs('loadCaptionDecoder').require(
    typeof cnn?.weights?.sha256 === 'string',
    "argument 'cnn' expected the feature CNN's manifest (bp.captioning.loadFeatureCnn().manifest)",
  );
  const dir =
    typeof where === 'string' ? where : shippedCheckpointDir(decoderCheckpointName(where.cellType, where.seed));
  const { manifest, params } = readShippedWeights<CaptionDecoderManifest>(
    dir,
    DECODER_FORMAT,
    'train it with: npm run train -- captioning',
  );
  const file = path.join(dir, 'manifest.json');
  if (manifest.cnnWeightsSha256 !== cnn.weights.sha256)
    throw new DatasetError(
      file,
      `this decoder read the features of the CNN whose weights have sha256 ${manifest.cnnWeightsSha256}, ` +
        `but the CNN given has ${cnn.weights.sha256} (retrain it: npm run train -- captioning)`,
    );
  if (
    !CAPTION_CELL_TYPES.includes(manifest.cellType) ||
    !Array.isArray(manifest.idxToWord) ||
    !manifest.sizes ||
    !isFeatureScaling(manifest.featureScaling)
  )
    throw new DatasetError(
      file,
      `wrong format: a '${DECODER_FORMAT}' manifest needs cellType, sizes, idxToWord and featureScaling`,
    );
  const model = new CaptioningRNN({
    wordToIdx: Object.fromEntries(manifest.idxToWord.map((w, i) => [w, i])),
    cellType: manifest.cellType,
    seed: 0,
    ...manifest.sizes,
  });
  for (const [name, v] of Object.entries(model.params)) {
    const p = params.get(name);
    if (!p || p.shape.join() !== v.shape.join()) {
      model.dispose();
      throw new DatasetError(
        file,
        `tensor '${name}' ${p ? `has shape [${p.shape}]` : 'is missing'}; needs [${v.shape}]`,
      );
    }
    const t = tf.tensor(p.values, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
  return { model, manifest };
}
