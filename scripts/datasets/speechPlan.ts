/**
 * What the two speech corpora contain — which sentence each utterance speaks, by which voice,
 * in which split — decided in one place from one seed, so both generators share one sentence
 * partition (train / val / test) and no test sentence of either corpus is in a training set.
 *
 * - `speech-single` (flite slt): 1,300 train, 100 val, 100 test in-domain sentences of
 *   20–100 characters, and the hard set (letters, spellings, repeated numbers, long sentences).
 * - `speech-speakers` (27 voices): in-domain sentences of 20–70 characters (shorter than
 *   speech-single's to fit more speakers and sentences in the size budget). 22 speakers are
 *   seen in training; 5 are held out. Splits:
 *   `train` (seen speakers × train sentences, plus sox-perturbed extra copies),
 *   `val` (seen speakers × val sentences), `test` (seen speakers × test sentences: unseen
 *   sentences), `test-speakers` (held-out speakers × the same test sentence pool: unseen
 *   speakers and sentences). Each speaker draws its own seeded sample from each pool, so the
 *   corpus covers many more distinct sentences than any one speaker reads.
 */
import { Rng } from '../../lib';
import { HardCategory, Sentence, hardSentences, partitionSentences, readSentences } from './speechSentences';
import { Perturbation, VOICES, Voice } from './speechVoices';

export const SPEECH_SEED = 20261130;

export const SINGLE_SIZES = { train: 1300, val: 100, test: 100 } as const;
export const HARD_LONG = { count: 30, meanChars: 128 } as const;

/** Speakers held out of every training split of speech-speakers. */
export const HELD_OUT_SPEAKERS = [
  'flite-rms',
  'espeak-en-gb-scotland',
  'espeak-en-us-nyc+f5',
  'espeak-en-gb+klatt3',
  'espeak-en-us+Andy',
];
export const SPEAKER_MAX_CHARS = 70;
/** Utterances per speaker and split of speech-speakers (`perturbed`: extra train copies per seen speaker). */
export const SPEAKER_COUNTS = { train: 150, perturbed: 8, val: 8, test: 20, testSpeakers: 60 } as const;
const PERTURBATIONS: Perturbation[] = ['speed 0.9', 'speed 1.1', 'pitch -300', 'pitch 300'];

/** One utterance to synthesize. */
export interface PlannedUtterance {
  id: string;
  text: string;
  voice: Voice;
  perturbation: Perturbation;
}

export type SingleSplit = 'train' | 'val' | 'test' | 'hard';
export type SpeakerSplit = 'train' | 'val' | 'test' | 'test-speakers';

export interface SpeechPlan {
  sentenceCount: number;
  single: Record<SingleSplit, (PlannedUtterance & { category?: HardCategory })[]>;
  speakers: Record<SpeakerSplit, PlannedUtterance[]>;
  /** Distinct in-domain sentences per partition part (for the READMEs). */
  pools: { train: number; val: number; test: number };
}

const SLT = VOICES.find((v) => v.id === 'flite-slt')!;

const utt = (
  prefix: string,
  i: number,
  s: { text: string },
  voice: Voice,
  perturbation: Perturbation = '',
): PlannedUtterance => ({
  id: `${prefix}-${String(i).padStart(4, '0')}`,
  text: s.text,
  voice,
  perturbation,
});

/** The one sentence partition of both corpora: the first fork of SPEECH_SEED's generator. */
function sharedPartition(rng: Rng): { sentences: Sentence[]; part: ReturnType<typeof partitionSentences> } {
  const sentences = readSentences();
  return { sentences, part: partitionSentences(sentences, { val: 300, test: 400 }, rng.fork()) };
}

export function makePlan(): SpeechPlan {
  const unknown = HELD_OUT_SPEAKERS.filter((id) => !VOICES.some((v) => v.id === id));
  if (unknown.length) throw new Error(`held-out speakers not among the voices: ${unknown.join(', ')}`);
  const rng = new Rng(SPEECH_SEED);
  const { sentences, part } = sharedPartition(rng);

  const single: SpeechPlan['single'] = {
    train: part.train.slice(0, SINGLE_SIZES.train).map((s, i) => utt('single-train', i, s, SLT)),
    val: part.val.slice(0, SINGLE_SIZES.val).map((s, i) => utt('single-val', i, s, SLT)),
    test: part.test.slice(0, SINGLE_SIZES.test).map((s, i) => utt('single-test', i, s, SLT)),
    hard: hardSentences(part.long, HARD_LONG.count, HARD_LONG.meanChars).map((h, i, all) => {
      const index = all.slice(0, i).filter((g) => g.category === h.category).length;
      return { ...utt(`hard-${h.category}`, index, h, SLT), category: h.category };
    }),
  };

  const short = (pool: Sentence[]): Sentence[] => pool.filter((s) => s.text.length <= SPEAKER_MAX_CHARS);
  const pools = { train: short(part.train), val: short(part.val), test: short(part.test) };
  const speakers: SpeechPlan['speakers'] = { train: [], val: [], test: [], 'test-speakers': [] };
  for (const voice of VOICES) {
    const r = rng.fork();
    const draw = (pool: Sentence[], n: number): Sentence[] => r.shuffle([...pool]).slice(0, n);
    const tag = voice.id;
    if (HELD_OUT_SPEAKERS.includes(voice.id)) {
      draw(pools.test, SPEAKER_COUNTS.testSpeakers).forEach((s, i) =>
        speakers['test-speakers'].push(utt(`${tag}-test`, i, s, voice)),
      );
      continue;
    }
    const train = draw(pools.train, SPEAKER_COUNTS.train);
    train.forEach((s, i) => speakers.train.push(utt(`${tag}-train`, i, s, voice)));
    train.slice(0, SPEAKER_COUNTS.perturbed).forEach((s, i) => {
      const p = PERTURBATIONS[(i + r.int(PERTURBATIONS.length)) % PERTURBATIONS.length];
      speakers.train.push(utt(`${tag}-train-${p.replace(' ', '')}`, i, s, voice, p));
    });
    draw(pools.val, SPEAKER_COUNTS.val).forEach((s, i) => speakers.val.push(utt(`${tag}-val`, i, s, voice)));
    draw(pools.test, SPEAKER_COUNTS.test).forEach((s, i) => speakers.test.push(utt(`${tag}-test`, i, s, voice)));
  }
  return {
    sentenceCount: sentences.length,
    single,
    speakers,
    pools: { train: pools.train.length, val: pools.val.length, test: pools.test.length },
  };
}

export const EXTRA_SEED = SPEECH_SEED + 1;
/** Sentence lengths of the extra training utterances: speech-single's range, 20–100 characters. */
export const EXTRA_MAX_CHARS = 100;

/**
 * The training-only extension of speech-speakers (out/datasets/speech-speakers-extra, made by
 * ./speechSpeakersExtra.ts for the listener's trainer): `perSpeaker` more sentences from the
 * shared partition's training pool for every seen speaker, each drawn by the speaker's own fork of
 * EXTRA_SEED, about half of them sox-perturbed (speed 0.9 | 1.1, pitch ±300 cents). Only training
 * sentences, so no val/test sentence of either corpus is ever heard in training.
 */
export function makeExtraPlan(perSpeaker: number): PlannedUtterance[] {
  if (!Number.isInteger(perSpeaker) || perSpeaker < 1)
    throw new Error(`makeExtraPlan: perSpeaker must be a whole number ≥ 1, got ${perSpeaker}`);
  const { part } = sharedPartition(new Rng(SPEECH_SEED));
  const pool = part.train.filter((s) => s.text.length <= EXTRA_MAX_CHARS);
  if (perSpeaker > pool.length)
    throw new Error(`makeExtraPlan: perSpeaker ${perSpeaker} exceeds the ${pool.length} training sentences`);
  const rng = new Rng(EXTRA_SEED);
  return VOICES.filter((v) => !HELD_OUT_SPEAKERS.includes(v.id)).flatMap((voice) => {
    const r = rng.fork();
    return r
      .shuffle([...pool])
      .slice(0, perSpeaker)
      .map((s, i) => {
        const p: Perturbation = r.uniform() < 0.5 ? '' : PERTURBATIONS[r.int(PERTURBATIONS.length)];
        return utt(`${voice.id}-extra${p ? `-${p.replace(' ', '')}` : ''}`, i, s, voice, p);
      });
  });
}

/**
 * The training-only extension of speech-single (out/datasets/speech-single-extra, made by
 * ./speechSingleExtra.ts for the Tacotron teacher's trainer): `count` more sentences for flite's
 * `slt`, the next ones of the shared partition's (already shuffled) training pool after
 * speech-single's own 1,300, so they are disjoint from every speech-single split and from every
 * val/test sentence of speech-speakers.
 */
export function makeSingleExtraPlan(count: number): PlannedUtterance[] {
  const { part } = sharedPartition(new Rng(SPEECH_SEED));
  const available = part.train.length - SINGLE_SIZES.train;
  if (!Number.isInteger(count) || count < 1 || count > available)
    throw new Error(`makeSingleExtraPlan: count must be a whole number in 1..${available}, got ${count}`);
  return part.train
    .slice(SINGLE_SIZES.train, SINGLE_SIZES.train + count)
    .map((s, i) => ({ ...utt('single-extra', i, s, SLT), id: `single-extra-${String(i).padStart(5, '0')}` }));
}
