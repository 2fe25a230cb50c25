/**
 * Padded minibatches of the multimodal-emotion corpus for the cross-modal transformer, its
 * pre-training tasks and the late-fusion baseline.
 *
 * Audio and face frames share one time axis (one face per stacked audio frame), padded to the
 * longest utterance Ta of the batch; words to Tw; characters to Tc + 1 (start/end symbol).
 * Audio is standardised per dimension with statistics of the pre-training split (the same for
 * every model, so a pre-trained encoder sees what it saw); loudness is not normalised per
 * utterance — it is one of the emotion cues.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import type { MultimodalUtterance } from '../../data/multimodalEmotion';

/** Word and character vocabularies (index 0 is padding in both). */
export interface MultimodalVocab {
  words: string[];
  /** Characters; index 1 is the start/end symbol '^'. */
  chars: string[];
}

export const MULTIMODAL_CHARS = ['<pad>', '^', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];

/** Words of `texts` (sorted; index 0 padding, 1 unknown) and the character alphabet. */
export function buildMultimodalVocab(texts: readonly string[]): MultimodalVocab {
  checkArgs('buildMultimodalVocab').require(
    Array.isArray(texts) && texts.length > 0,
    "argument 'texts' expected a non-empty list of sentences",
  );
  const words = [...new Set(texts.flatMap((t) => t.split(' ')))].sort();
  return { words: ['<pad>', '<unk>', ...words], chars: MULTIMODAL_CHARS };
}

/** Per-dimension mean and standard deviation of the audio frames of `utts`. */
export interface MultimodalAudioStats {
  mean: Float32Array;
  std: Float32Array;
}

export function multimodalAudioStats(utts: readonly MultimodalUtterance[]): MultimodalAudioStats {
  checkArgs('multimodalAudioStats').require(
    Array.isArray(utts) && utts.length > 0,
    "argument 'utts' expected utterances",
  );
  const D = utts[0].audio.cols;
  const sum = new Float64Array(D),
    sq = new Float64Array(D);
  let n = 0;
  for (const u of utts) {
    for (let i = 0; i < u.audio.data.length; i++)
      ((sum[i % D] += u.audio.data[i]), (sq[i % D] += u.audio.data[i] ** 2));
    n += u.audio.rows;
  }
  const mean = Float32Array.from(sum, (s) => s / n);
  return { mean, std: Float32Array.from(sq, (s, d) => Math.sqrt(Math.max(1e-6, s / n - mean[d] ** 2))) };
}

/** One padded batch (tensors owned by the batch: {@link disposeMultimodalBatch}). */
export interface MultimodalBatch {
  N: number;
  Ta: number;
  /** Standardised stacked audio [N, Ta, 200] (0 at padding). */
  audio: tf.Tensor3D;
  /** Face embeddings [N, Ta, 32]. */
  visual: tf.Tensor3D;
  /** 1 at real audio/face frames [N, Ta]; as an attention key mask [N, 1, Ta]. */
  frameValid: tf.Tensor2D;
  frameKeys: tf.Tensor3D;
  /** Frames per utterance. */
  lengths: number[];
  /** Word ids [N, Tw] int32, key mask [N, 1, Tw], words per utterance. */
  words: tf.Tensor2D;
  wordKeys: tf.Tensor3D;
  wordLengths: number[];
  /** Teacher forcing: '^' + characters [N, Tc] → characters + '^' [N, Tc], 1 at real targets. */
  charsIn: tf.Tensor2D;
  charsOut: tf.Tensor2D;
  charMask: tf.Tensor2D;
  /** Binary emotion targets [N, 6] (labelled splits only). */
  labels: tf.Tensor2D | null;
  speakers: tf.Tensor1D;
}

/** Pads `utts` into a batch. */
export function makeMultimodalBatch(
  utts: readonly MultimodalUtterance[],
  vocab: MultimodalVocab,
  stats: MultimodalAudioStats,
): MultimodalBatch {
  checkArgs('makeMultimodalBatch')
    .require(Array.isArray(utts) && utts.length > 0, "argument 'utts' expected a non-empty list of utterances")
    .require(
      utts.every((u) => u.audio.cols === stats.mean.length && u.visual.rows === u.audio.rows),
      'every utterance needs audio of the stats width and one face frame per audio frame',
    );
  const N = utts.length;
  const lengths = utts.map((u) => u.audio.rows);
  const Ta = Math.max(...lengths);
  const D = stats.mean.length;
  const audio = new Float32Array(N * Ta * D),
    visual = new Float32Array(N * Ta * 32),
    valid = new Float32Array(N * Ta);
  utts.forEach((u, n) => {
    for (let t = 0; t < u.audio.rows; t++) {
      for (let d = 0; d < D; d++)
        audio[(n * Ta + t) * D + d] = (u.audio.data[t * D + d] - stats.mean[d]) / stats.std[d];
      visual.set(u.visual.data.subarray(t * 32, (t + 1) * 32), (n * Ta + t) * 32);
      valid[n * Ta + t] = 1;
    }
  });
  const wordIndex = new Map(vocab.words.map((w, i) => [w, i]));
  const wordLists = utts.map((u) => u.text.split(' ').map((w) => wordIndex.get(w) ?? 1));
  const wordLengths = wordLists.map((w) => w.length);
  const Tw = Math.max(...wordLengths);
  const words = new Int32Array(N * Tw),
    wordValid = new Float32Array(N * Tw);
  wordLists.forEach((ws, n) => ws.forEach((w, t) => ((words[n * Tw + t] = w), (wordValid[n * Tw + t] = 1))));
  const charIndex = new Map(vocab.chars.map((c, i) => [c, i]));
  const charLists = utts.map((u) => [...u.text].map((c) => charIndex.get(c) ?? charIndex.get(' ')!));
  const Tc = Math.max(...charLists.map((c) => c.length)) + 1;
  const charsIn = new Int32Array(N * Tc),
    charsOut = new Int32Array(N * Tc),
    charMask = new Float32Array(N * Tc);
  charLists.forEach((cs, n) => {
    const seqIn = [1, ...cs],
      seqOut = [...cs, 1];
    seqIn.forEach(
      (c, t) => ((charsIn[n * Tc + t] = c), (charsOut[n * Tc + t] = seqOut[t]), (charMask[n * Tc + t] = 1)),
    );
  });
  const labels = utts.every((u) => u.labels)
    ? tf.tensor2d(
        utts.flatMap((u) => u.labels!.map((l) => (l > 0 ? 1 : 0))),
        [N, 6],
      )
    : null;
  return {
    N,
    Ta,
    lengths,
    wordLengths,
    audio: tf.tensor3d(audio, [N, Ta, D]),
    visual: tf.tensor3d(visual, [N, Ta, 32]),
    frameValid: tf.tensor2d(valid, [N, Ta]),
    frameKeys: tf.tensor3d(valid, [N, 1, Ta]),
    words: tf.tensor2d(words, [N, Tw], 'int32'),
    wordKeys: tf.tensor3d(wordValid, [N, 1, Tw]),
    charsIn: tf.tensor2d(charsIn, [N, Tc], 'int32'),
    charsOut: tf.tensor2d(charsOut, [N, Tc], 'int32'),
    charMask: tf.tensor2d(charMask, [N, Tc]),
    labels,
    speakers: tf.tensor1d(
      utts.map((u) => u.speakerIndex),
      'int32',
    ),
  };
}

export function disposeMultimodalBatch(b: MultimodalBatch): void {
  tf.dispose([
    b.audio,
    b.visual,
    b.frameValid,
    b.frameKeys,
    b.words,
    b.wordKeys,
    b.charsIn,
    b.charsOut,
    b.charMask,
    b.speakers,
    ...(b.labels ? [b.labels] : []),
  ]);
}
