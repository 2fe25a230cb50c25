/**
 * Robustness of a synthesizer measured two independent ways — what Liu et al. counted by
 * listening (skipped and repeated words, their sum over the words: their "WER").
 *
 * 1. From the attention alignment A [steps, L] of one utterance (rows up to the stop), with the
 *    attended character of each step pₜ = argmaxₗ A[t, l]:
 *    - a character is *covered* when some pₜ is on it, or when the attention it received over
 *      all steps, Σₜ A[t, l], reaches `coverMass` (default ½ a step's worth: a fast read that
 *      passes through it without ever peaking there); skips = characters never covered, so a
 *      forward jump over one or two characters with no attention on them is a skip;
 *    - repeats = Σₜ (pₜ − pₜ₊₁) over the backward moves larger than `backTolerance`
 *      (characters read again after attention had passed them);
 *    - incomplete = the stop token never fired before the step limit;
 *    only `countable` characters count as skips and towards the characters (the notebook leaves
 *    out punctuation, which has no sound of its own — as the listener's references do).
 * 2. With the automatic listener: transcribe the synthesized mel and align it to the text by
 *    edit distance — deletions are skipped characters, insertions repeated ones.
 *
 * Error rate = (skips + repeats) / characters, over a set of utterances.
 */
import { AudioMatrix } from '../../audio/matrix';
import { checkArgs } from '../../core/validate';
import { PHONE_ALPHABET, stripPunctuation } from '../../data/speechText';
import { alignEdits } from '../../metrics/editDistance';
import { Listener, transcribeLogMel } from '../listener/transcribe';
import type { LogMelConfig } from '../listener/features';
import { TacotronInput, tacotronInputIds } from './batch';
import type { Tacotron2Config } from './config';

export interface RobustnessCount {
  skips: number;
  repeats: number;
  characters: number;
  incomplete: number;
  utterances: number;
}

/** Skips, repeats and incompleteness of one alignment [steps, L] (see the module comment). */
export function countAlignmentErrors(
  alignment: readonly (readonly number[])[],
  stopped: boolean,
  opts: { coverMass?: number; backTolerance?: number; countable?: readonly boolean[] } = {},
): RobustnessCount {
  const { coverMass = 0.5, backTolerance = 1 } = opts;
  const c = checkArgs('countAlignmentErrors')
    .require(
      Array.isArray(alignment) && alignment.length > 0,
      "argument 'alignment' expected a non-empty [steps, L] array",
    )
    .number('opts.coverMass', coverMass, { min: 0 })
    .number('opts.backTolerance', backTolerance, { integer: true, min: 0 });
  const L = alignment[0].length;
  alignment.forEach((row, t) =>
    c.require(
      row.length === L && L > 0,
      `argument 'alignment' row ${t} expected ${L} > 0 weights but got ${row.length}`,
    ),
  );
  const countable = opts.countable ?? new Array<boolean>(L).fill(true);
  c.require(
    countable.length === L,
    `argument 'opts.countable' expected ${L} flags (one per character) but got ${countable.length}`,
  );
  const path = alignment.map((row) => row.reduce((best, v, l) => (v > row[best] ? l : best), 0));
  const mass = new Float64Array(L);
  for (const row of alignment) row.forEach((v, l) => (mass[l] += v));
  const covered = Array.from({ length: L }, (_, l) => mass[l] >= coverMass);
  let repeats = 0;
  path.forEach((p, t) => {
    covered[p] = true;
    const d = t === 0 ? 0 : p - path[t - 1];
    if (d < -backTolerance) repeats += -d;
  });
  const skips = countable.filter((k, l) => k && !covered[l]).length;
  return { skips, repeats, characters: countable.filter(Boolean).length, incomplete: stopped ? 0 : 1, utterances: 1 };
}

/** What happened to one utterance, the most serious first: no stop, then a skip, then a repeat. */
export type UtteranceOutcome = 'no stop' | 'skip' | 'repeat' | 'clean';

/** The outcome of one utterance's count (so that systems compare on the same sentences). */
export function utteranceOutcome(c: RobustnessCount): UtteranceOutcome {
  checkArgs('utteranceOutcome').require(
    c?.utterances === 1,
    `argument 'c' expected the count of one utterance but got ${c?.utterances} utterances`,
  );
  return c.incomplete > 0 ? 'no stop' : c.skips > 0 ? 'skip' : c.repeats > 0 ? 'repeat' : 'clean';
}

/** Which characters of `text` the alignment counter counts: all but the punctuation marks `, . ? !`. */
export function spokenCharacters(text: string): boolean[] {
  return [...text].map((ch) => !',.?!'.includes(ch));
}

/**
 * Which input symbols of a model the alignment counter counts: the spoken characters of the
 * text (characters model) or every phone but the pause `pau` (phones model).
 */
export function countableSymbols(config: Pick<Tacotron2Config, 'symbols'>, input: TacotronInput): boolean[] {
  if (config.symbols === 'characters') return spokenCharacters(input.text);
  return tacotronInputIds(config, input).map((id) => PHONE_ALPHABET[id] !== 'pau');
}

/**
 * Skips (deletions) and repeats (insertions) the listener hears in each mel, against its text (punctuation stripped).
 */
export function listenerRobustness(
  listener: Listener,
  mels: readonly AudioMatrix[],
  texts: readonly string[],
  cfg: LogMelConfig,
): (RobustnessCount & { substitutions: number; transcript: string })[] {
  checkArgs('listenerRobustness').require(
    Array.isArray(mels) && Array.isArray(texts) && mels.length === texts.length && mels.length > 0,
    `arguments 'mels' and 'texts' expected equal non-empty lengths but got ${mels?.length} and ${texts?.length}`,
  );
  const hyps = transcribeLogMel(listener, mels, cfg);
  return texts.map((text, i) => {
    const ref = stripPunctuation(text);
    const a = alignEdits(ref, hyps[i]);
    return {
      skips: a.deletions,
      repeats: a.insertions,
      substitutions: a.substitutions,
      characters: ref.length,
      incomplete: 0,
      utterances: 1,
      transcript: hyps[i],
    };
  });
}

/** Sums counts (e.g. over the utterances of a category). */
export function sumRobustness(counts: readonly RobustnessCount[]): RobustnessCount {
  return counts.reduce(
    (s, x) => ({
      skips: s.skips + x.skips,
      repeats: s.repeats + x.repeats,
      characters: s.characters + x.characters,
      incomplete: s.incomplete + x.incomplete,
      utterances: s.utterances + x.utterances,
    }),
    { skips: 0, repeats: 0, characters: 0, incomplete: 0, utterances: 0 },
  );
}

/** (skips + repeats) / characters. */
export function robustnessErrorRate(c: RobustnessCount): number {
  return c.characters > 0 ? (c.skips + c.repeats) / c.characters : NaN;
}
