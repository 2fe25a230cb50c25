/**
 * Loader of the shipped `datasets/speech-single` (written by `scripts/datasets/speechSingle.ts`):
 * one voice — flite's `slt`, a US English female voice built from real recordings (CMU
 * ARCTIC) — reading normalised sentences from Jane Austen's novels, as 80-bin log-mel
 * spectrograms; an out-of-domain `hard` split (single letters, spellings, repeated numbers,
 * long sentences) for robustness tests; a few of the waveforms to listen to.
 */
import { AudioMatrix } from '../audio/matrix';
import { checkArgs } from '../core/validate';
import { checkLoaderOptions } from './cropDataset';
import { DatasetError } from './datasetError';
import { SpeechFeatureSpec, SpeechRecord, readSpeechCorpus, utteranceFeatures } from './speechCorpus';

export type SpeechSingleSplit = 'train' | 'val' | 'test' | 'hard';
export const SPEECH_SINGLE_SPLITS: readonly SpeechSingleSplit[] = ['train', 'val', 'test', 'hard'];

/** Categories of the `hard` split (empty for in-domain splits). */
export type HardSentenceCategory = 'letter' | 'spelling' | 'repeated-number' | 'long';
const HARD_CATEGORIES: readonly string[] = ['letter', 'spelling', 'repeated-number', 'long'];

interface SingleRecord extends SpeechRecord {
  phones: string;
  category?: HardSentenceCategory;
  /** File name of the shipped WAV of this utterance, if one is shipped. */
  wav?: string;
}

/** One utterance of speech-single. */
export interface SpeechSingleUtterance {
  id: string;
  /** Normalised text (see `normaliseSpeechText`): the punctuated alphabet. */
  text: string;
  /** flite's phones of the text, space-separated (see PHONE_ALPHABET in ./speechText.ts). */
  phones: string;
  /** Log-mel spectrogram `[T, 80]` (natural log of mel power, see `features`). */
  mel: AudioMatrix;
  /** Duration of the audio in seconds. */
  seconds: number;
  /** `hard` split only: which kind of hard sentence. */
  category?: HardSentenceCategory;
  /** Name of the shipped WAV of this utterance (load it with `loadSpeechWav('speech-single', wav)`), if any. */
  wav?: string;
}

/** What {@link loadSpeechSingle} returns. */
export interface SpeechSingle {
  utterances: SpeechSingleUtterance[];
  /** How the mels were computed (function, options) and quantised. */
  features: SpeechFeatureSpec;
}

function readSingle(dir?: string) {
  const corpus = readSpeechCorpus<SingleRecord, SpeechSingleSplit>('speech-single', SPEECH_SINGLE_SPLITS, dir);
  const file = `${corpus.folder}/utterances.json.gz`;
  for (const split of SPEECH_SINGLE_SPLITS)
    corpus.splits[split].forEach((r, i) => {
      if (typeof r.phones !== 'string' || r.phones.trim() === '')
        throw new DatasetError(file, `wrong format: ${split} record ${i} (${JSON.stringify(r.id)}) has no phones`);
    });
  corpus.splits.hard.forEach((r, i) => {
    if (!HARD_CATEGORIES.includes(r.category as string))
      throw new DatasetError(file, `wrong format: hard record ${i} has category ${JSON.stringify(r.category)}`);
  });
  if (corpus.manifest.features.kind !== 'log-mel')
    throw new DatasetError(
      `${corpus.folder}/manifest.json`,
      `wrong format: features.kind is ${corpus.manifest.features.kind}, expected log-mel`,
    );
  return corpus;
}

/**
 * Loads one split of speech-single (checksums, shapes and records verified). `limit` keeps
 * the first `limit` utterances; `category` keeps only that kind of hard sentence.
 */
export function loadSpeechSingle(opts: {
  split: SpeechSingleSplit;
  limit?: number;
  category?: HardSentenceCategory;
  dir?: string;
}): SpeechSingle {
  const keep = checkLoaderOptions('loadSpeechSingle', opts, SPEECH_SINGLE_SPLITS);
  checkArgs('loadSpeechSingle').require(
    opts.category === undefined || (opts.split === 'hard' && HARD_CATEGORIES.includes(opts.category)),
    `category applies to split 'hard' and must be one of ${HARD_CATEGORIES.join(', ')}; ` +
      `got split ${opts.split}, category ${opts.category}`,
  );
  const corpus = readSingle(opts.dir);
  const records = corpus.splits[opts.split].filter((r) => opts.category === undefined || r.category === opts.category);
  const utterances = records.slice(0, keep(records.length)).map((r) => ({
    id: r.id,
    text: r.text,
    phones: r.phones,
    mel: utteranceFeatures(corpus, r),
    seconds: r.seconds,
    ...(r.category ? { category: r.category } : {}),
    ...(r.wav ? { wav: r.wav } : {}),
  }));
  return { utterances, features: corpus.manifest.features };
}
