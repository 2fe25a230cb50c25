/**
 * The Tacotron notebook's data: speech-single text–mel pairs, kept short for training
 * (a decoder step costs the same per-op overhead at any batch size, so short utterances buy
 * the most steps), and the mel normalisation.
 */
import { checkArgs } from '../../core/validate';
import { SpeechSingleSplit, loadSpeechSingle } from '../../data/speechSingle';
import type { TextMel } from './batch';

/**
 * speech-single `split` utterances (text, phones, mel) with at most `maxFrames` frames (the first
 * `limit` of them, if given); `dir` reads a corpus in speech-single's format from another folder
 * (speech-single-extra).
 */
export function tacotronPairs(
  split: SpeechSingleSplit,
  opts: { maxFrames?: number; limit?: number; dir?: string } = {},
): TextMel[] {
  const { maxFrames = Infinity, limit, dir } = opts;
  if (maxFrames !== Infinity) checkArgs('tacotronPairs').number('opts.maxFrames', maxFrames, { min: 1 });
  const pairs = loadSpeechSingle({ split, dir })
    .utterances.filter((u) => u.mel.rows <= maxFrames)
    .map((u) => ({ text: u.text, phones: u.phones, mel: u.mel }));
  return limit === undefined ? pairs : pairs.slice(0, limit);
}

/** Mean and standard deviation of every log-mel value of `pairs` (the model's input/output normalisation). */
export function melNormOf(pairs: readonly TextMel[]): { mean: number; std: number } {
  checkArgs('melNormOf').require(pairs.length > 0, "argument 'pairs' expected at least one pair");
  let s = 0,
    s2 = 0,
    n = 0;
  for (const { mel } of pairs)
    for (let i = 0; i < mel.data.length; i++) {
      s += mel.data[i];
      s2 += mel.data[i] * mel.data[i];
      n++;
    }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(s2 / n - mean * mean, 1e-12)) };
}
