/**
 * The shipped caption decoders' format (lib/models/captioning/decoderCheckpoint.ts): a saved
 * decoder loads with the same captions, is refused for another feature CNN, and a damaged file
 * is named.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { tf } from '../lib';
import { DatasetError } from '../lib/data/datasetError';
import { loadFashionScenes } from '../lib/data/fashionScenes';
import { CaptioningRNN } from '../lib/models/captioning/captioningRnn';
import type { FeatureCnnManifest } from '../lib/models/captioning/cnnCheckpoint';
import {
  decoderCheckpointName,
  loadCaptionDecoder,
  saveCaptionDecoder,
} from '../lib/models/captioning/decoderCheckpoint';

const cnnManifest = (sha256: string) => ({ weights: { sha256 } }) as unknown as FeatureCnnManifest;

describe('shipped caption decoders', () => {
  it('round-trips a decoder: same sizes, vocabulary and captions; refuses another CNN; names a damaged file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caption-decoder-'));
    const scenes = loadFashionScenes({ split: 'test', limit: 3 });
    const model = new CaptioningRNN({
      wordToIdx: scenes.wordToIdx,
      cellType: 'attention',
      inputDim: 5,
      wordvecDim: 6,
      hiddenDim: 7,
      seed: 3,
    });
    const manifest = saveCaptionDecoder(dir, model, {
      seed: 3,
      inputDim: 5,
      wordvecDim: 6,
      cnn: cnnManifest('a'.repeat(64)),
      featureScaling: { mean: [0.5, 1, 0, 2, 3], std: [1, 2, 0.5, 1, 1] },
      training: { note: 'test' },
    });
    expect(manifest).toMatchObject({ cellType: 'attention', sizes: { inputDim: 5, wordvecDim: 6, hiddenDim: 7 } });
    const { model: back, manifest: loaded } = loadCaptionDecoder(dir, cnnManifest('a'.repeat(64)));
    expect(loaded.featureScaling).toEqual({ mean: [0.5, 1, 0, 2, 3], std: [1, 2, 0.5, 1, 1] });
    const badScaling = { mean: [0, 0], std: [1, 0] };
    expect(() =>
      saveCaptionDecoder(dir, model, {
        seed: 3,
        inputDim: 5,
        wordvecDim: 6,
        cnn: cnnManifest('a'.repeat(64)),
        featureScaling: badScaling,
        training: {},
      }),
    ).toThrow("saveCaptionDecoder: argument 'info.featureScaling'");
    const features = tf.randomNormal([3, 5, 4, 4], 0, 1, 'float32', 4);
    expect(back.sample(features, 8).indices).toEqual(model.sample(features, 8).indices);
    expect(back.idxToWord).toEqual(model.idxToWord);
    expect(() => loadCaptionDecoder(dir, cnnManifest('b'.repeat(64)))).toThrow(/read the features of the CNN/);
    const file = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[3] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(() => loadCaptionDecoder(dir, cnnManifest('a'.repeat(64)))).toThrow(DatasetError);
    expect(decoderCheckpointName('lstm', 2)).toBe('captioning-lstm-seed2');
    expect(() => decoderCheckpointName('gru' as never, 2)).toThrow("decoderCheckpointName: argument 'cellType'");
    tf.dispose([features, scenes.images, scenes.captions]);
    model.dispose();
    back.dispose();
    fs.rmSync(dir, { recursive: true });
  });
});
