/**
 * Room in the CTC lattice. A label sequence l of U characters with R adjacent repeats ("ll" in
 * "all") needs at least U + R output frames, because a blank must separate repeated characters:
 *
 *   room(l, T') = T' / (U + R)        T' the utterance's output frames after the conv's stride
 *
 * Below 1 no alignment exists (the CTC loss is +∞); near 1 the only alignments emit a character
 * on almost every frame, which leaves the recognizer no frames to spend on blanks between them.
 * Comparing strides by this measure over the training set picks the time resolution.
 */
import { checkArgs } from '../../core/validate';
import { recognizerOutputLength, SpeechRecognizerConfig } from './recognizer';

/** U + R: the fewest output frames any CTC alignment of `labels` needs. */
export function ctcMinFrames(labels: readonly number[]): number {
  checkArgs('ctcMinFrames').require(Array.isArray(labels), "argument 'labels' expected an array of label ids");
  let repeats = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) repeats++;
  return labels.length + repeats;
}

/** T' / (U + R) (Infinity for an empty transcript). */
export function latticeRoom(labels: readonly number[], outputFrames: number): number {
  checkArgs('latticeRoom').number('outputFrames', outputFrames, { integer: true, min: 0 });
  const need = ctcMinFrames(labels);
  return need === 0 ? Infinity : outputFrames / need;
}

/** One stride's row of {@link latticeFitByStride}. */
export interface LatticeFit {
  stride: number;
  /** Output frames per second at 100 input frames per second. */
  outputFps: number;
  minRoom: number;
  /** 1st percentile and median of the room over the utterances. */
  p1Room: number;
  medianRoom: number;
  /** Shares of utterances with room ≥ 1 (an alignment exists), ≥ 1.5 and ≥ 2. */
  fits: number;
  atLeast1_5: number;
  atLeast2: number;
}

/** The room of every utterance (input frames, label ids) at each candidate stride of `config`. */
export function latticeFitByStride(
  utts: readonly { frames: number; labels: readonly number[] }[],
  strides: readonly number[],
  config: SpeechRecognizerConfig,
): LatticeFit[] {
  checkArgs('latticeFitByStride').require(utts.length > 0, "argument 'utts' expected at least one utterance");
  return strides.map((stride) => {
    const rooms = utts
      .map((u) => latticeRoom(u.labels, recognizerOutputLength(u.frames, { ...config, subsample: stride })))
      .sort((a, b) => a - b);
    const share = (r: number): number => rooms.filter((x) => x >= r).length / rooms.length;
    return {
      stride,
      outputFps: 100 / stride,
      minRoom: rooms[0],
      p1Room: rooms[Math.floor(0.01 * (rooms.length - 1))],
      medianRoom: rooms[Math.floor(0.5 * (rooms.length - 1))],
      fits: share(1),
      atLeast1_5: share(1.5),
      atLeast2: share(2),
    };
  });
}
