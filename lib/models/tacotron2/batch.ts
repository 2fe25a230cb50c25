/**
 * Text–mel pairs as Tacotron batches.
 *
 * A batch pads every text to the longest (id 0) and every mel to the longest, rounded up to a
 * multiple of r frames, so it has S = T/r decoder steps. The stop target of step t is 1 from
 * the step that holds the utterance's last frame onwards. (Which utterances share a batch:
 * lib/train/lengthBuckets.ts, similar lengths so that padding stays small.)
 */
import * as tf from '@tensorflow/tfjs';
import { AudioMatrix } from '../../audio/matrix';
import { checkArgs } from '../../core/validate';
import { PHONE_ALPHABET, phonesToIds, textToIds } from '../../data/speechText';
import type { Tacotron2Config } from './config';

/** What a Tacotron reads: the normalised text, and flite's phones of it (what a phones model reads). */
export interface TacotronInput {
  text: string;
  phones?: string;
}

/** One training pair: the input and its log-mel [T, M] (natural log, as in speech-single). */
export interface TextMel extends TacotronInput {
  mel: AudioMatrix;
}

/**
 * The encoder's input ids of `input` for a model of `config`: the punctuated characters of the
 * text, or the phones (a phones model needs them: speech-single carries them; new text needs
 * flite's t2p).
 */
export function tacotronInputIds(config: Pick<Tacotron2Config, 'symbols'>, input: TacotronInput): number[] {
  if (config.symbols === 'characters') return textToIds(input.text, 'punctuated');
  checkArgs('tacotronInputIds').require(
    typeof input.phones === 'string',
    `a phones model needs each input's phones (speech-single carries them); got none for ${JSON.stringify(input.text)}`,
  );
  return phonesToIds(input.phones!);
}

export interface TacotronBatch {
  ids: tf.Tensor; // [N, L] int32
  textMask: tf.Tensor; // [N, L] 1 = real character
  mel: tf.Tensor; // [N, S·r, M] normalised log-mel, zero over padding
  frameMask: tf.Tensor; // [N, S·r] 1 = real frame
  stopTargets: tf.Tensor; // [N, S]
  stepMask: tf.Tensor; // [N, S] 1 = a step that holds a real frame
  steps: number;
  textLengths: number[];
  frameLengths: number[];
}

/** The encoder's input symbols of `input` as labels (the text's characters, or the phones). */
export function tacotronInputSymbols(config: Pick<Tacotron2Config, 'symbols'>, input: TacotronInput): string[] {
  return config.symbols === 'characters'
    ? [...input.text]
    : tacotronInputIds(config, input).map((id) => PHONE_ALPHABET[id]);
}

/** Builds the batch of `items` for `model` (its input symbols, r, and mel normalisation (x − mean)/std). */
export function makeTacotronBatch(
  items: readonly TextMel[],
  model: { config: Pick<Tacotron2Config, 'symbols' | 'r'>; melNorm: { mean: number; std: number } },
): TacotronBatch {
  const c = checkArgs('makeTacotronBatch')
    .require(Array.isArray(items) && items.length > 0, "argument 'items' expected a non-empty array of { text, mel }")
    .number('model.config.r', model?.config?.r, { integer: true, min: 1 });
  const { r } = model.config;
  const { melNorm } = model;
  const M = items[0].mel?.cols;
  items.forEach((u, i) =>
    c.require(
      u.mel?.cols === M && u.mel.rows >= 1 && u.text.length >= 1,
      `items[${i}] expected text and a mel [T, ${M}]`,
    ),
  );
  const ids = items.map((u) => tacotronInputIds(model.config, u));
  const N = items.length;
  const L = Math.max(...ids.map((x) => x.length));
  const frameLengths = items.map((u) => u.mel.rows);
  const S = Math.ceil(Math.max(...frameLengths) / r);
  const T = S * r;
  const idArr = new Int32Array(N * L),
    textMask = new Float32Array(N * L);
  const mel = new Float32Array(N * T * M),
    frameMask = new Float32Array(N * T);
  const stop = new Float32Array(N * S),
    stepMask = new Float32Array(N * S);
  items.forEach((u, n) => {
    ids[n].forEach((id, l) => {
      idArr[n * L + l] = id;
      textMask[n * L + l] = 1;
    });
    for (let t = 0; t < u.mel.rows; t++) {
      frameMask[n * T + t] = 1;
      for (let m = 0; m < M; m++) mel[(n * T + t) * M + m] = (u.mel.data[t * M + m] - melNorm.mean) / melNorm.std;
    }
    const last = Math.ceil(u.mel.rows / r) - 1;
    for (let s = 0; s < S; s++) {
      stop[n * S + s] = s >= last ? 1 : 0;
      stepMask[n * S + s] = s <= last ? 1 : 0;
    }
  });
  return {
    ids: tf.tensor2d(idArr, [N, L], 'int32'),
    textMask: tf.tensor2d(textMask, [N, L]),
    mel: tf.tensor3d(mel, [N, T, M]),
    frameMask: tf.tensor2d(frameMask, [N, T]),
    stopTargets: tf.tensor2d(stop, [N, S]),
    stepMask: tf.tensor2d(stepMask, [N, S]),
    steps: S,
    textLengths: ids.map((x) => x.length),
    frameLengths,
  };
}

export function disposeTacotronBatch(b: TacotronBatch): void {
  tf.dispose([b.ids, b.textMask, b.mel, b.frameMask, b.stopTargets, b.stepMask]);
}
