/**
 * Loader of the shipped `datasets/speech-speakers` (written by `scripts/datasets/speechSpeakers.ts`):
 * every distinct English voice of Debian's synthesizers (flite, festival, espeak-ng accents and
 * voice variants) reading normalised sentences from Jane Austen's novels, as 40-dim Kaldi-style
 * log filterbank energies at 10 ms, with transcripts, speaker ids and voice engines.
 *
 * Splits: `train` (seen speakers, training sentences; includes sox-perturbed extra copies,
 * labelled in `perturbation`), `val` and `test` (seen speakers, sentences never in any training
 * split), `test-speakers` (held-out speakers on the same unseen test sentence pool).
 */
import { AudioMatrix } from '../audio/matrix';
import { checkArgs } from '../core/validate';
import { checkLoaderOptions } from './cropDataset';
import { DatasetError } from './datasetError';
import { SpeechFeatureSpec, SpeechRecord, readSpeechCorpus, utteranceFeatures } from './speechCorpus';

export type SpeechSpeakersSplit = 'train' | 'val' | 'test' | 'test-speakers';
export const SPEECH_SPEAKERS_SPLITS: readonly SpeechSpeakersSplit[] = ['train', 'val', 'test', 'test-speakers'];

/** One synthetic speaker of the corpus. */
export interface SpeechSpeaker {
  /** e.g. `flite-slt`, `festival-ked`, `espeak-en-us+f2`. */
  id: string;
  engine: 'flite' | 'festival' | 'espeak-ng';
  description: string;
  /** True for the speakers of `test-speakers` (never in train/val/test). */
  heldOut: boolean;
}

interface SpeakerRecord extends SpeechRecord {
  /** Index into the corpus's speaker list. */
  speaker: number;
  /** sox effect applied after synthesis (`speed 1.1`, `pitch -300`, …) or ''. */
  perturbation: string;
}

/** One utterance of speech-speakers. */
export interface SpeechSpeakersUtterance {
  id: string;
  /** Normalised text (see `normaliseSpeechText`). */
  text: string;
  /** Speaker id (see {@link SpeechSpeakers.speakers}). */
  speaker: string;
  /** Index of the speaker in {@link SpeechSpeakers.speakers} (a class label for speaker identification). */
  speakerIndex: number;
  engine: SpeechSpeaker['engine'];
  /** sox perturbation applied after synthesis, '' for none (train split only). */
  perturbation: string;
  /** Log filterbank energies `[T, 40]`, 25 ms frames every 10 ms (see `features`). */
  lfbe: AudioMatrix;
  seconds: number;
}

/** What {@link loadSpeechSpeakers} returns. */
export interface SpeechSpeakers {
  utterances: SpeechSpeakersUtterance[];
  /** Every speaker of the corpus (all splits), in the order of `speakerIndex`. */
  speakers: SpeechSpeaker[];
  features: SpeechFeatureSpec;
}

const ENGINES: readonly string[] = ['flite', 'festival', 'espeak-ng'];

/**
 * Loads one split of speech-speakers (checksums, shapes and records verified). `speakers`
 * keeps only those speaker ids; `perturbed: false` drops the sox-perturbed copies; `limit`
 * keeps the first `limit` utterances after filtering.
 */
export function loadSpeechSpeakers(opts: {
  split: SpeechSpeakersSplit;
  limit?: number;
  speakers?: string[];
  perturbed?: boolean;
  dir?: string;
}): SpeechSpeakers {
  const keep = checkLoaderOptions('loadSpeechSpeakers', opts, SPEECH_SPEAKERS_SPLITS);
  const check = checkArgs('loadSpeechSpeakers');
  if (opts.speakers !== undefined)
    check.require(
      Array.isArray(opts.speakers) && opts.speakers.every((s) => typeof s === 'string'),
      `speakers must be a list of speaker ids, got ${String(opts.speakers)}`,
    );
  if (opts.perturbed !== undefined)
    check.require(
      typeof opts.perturbed === 'boolean',
      `perturbed must be true or false, got ${String(opts.perturbed)}`,
    );

  const corpus = readSpeechCorpus<SpeakerRecord, SpeechSpeakersSplit>(
    'speech-speakers',
    SPEECH_SPEAKERS_SPLITS,
    opts.dir,
  );
  const file = `${corpus.folder}/utterances.json.gz`;
  const speakers = corpus.records.speakers as SpeechSpeaker[] | undefined;
  if (
    !Array.isArray(speakers) ||
    speakers.some((s) => typeof s?.id !== 'string' || !ENGINES.includes(s.engine) || typeof s.heldOut !== 'boolean')
  ) {
    throw new DatasetError(file, 'wrong format: `speakers` must list { id, engine, description, heldOut }');
  }
  if (corpus.manifest.features.kind !== 'log-fbank')
    throw new DatasetError(
      `${corpus.folder}/manifest.json`,
      `wrong format: features.kind is ${corpus.manifest.features.kind}, expected log-fbank`,
    );
  const unknown = (opts.speakers ?? []).filter((id) => !speakers.some((s) => s.id === id));
  check.require(
    unknown.length === 0,
    `unknown speaker ids ${unknown.join(', ')} (the corpus has ${speakers.map((s) => s.id).join(', ')})`,
  );

  const records = corpus.splits[opts.split];
  records.forEach((r, i) => {
    if (
      !Number.isInteger(r.speaker) ||
      r.speaker < 0 ||
      r.speaker >= speakers.length ||
      typeof r.perturbation !== 'string'
    ) {
      throw new DatasetError(
        file,
        `wrong format: split '${opts.split}' record ${i} has ` +
          `speaker ${r.speaker} (of ${speakers.length}) or no perturbation label`,
      );
    }
  });
  const wanted = records.filter(
    (r) =>
      (opts.speakers === undefined || opts.speakers.includes(speakers[r.speaker].id)) &&
      (opts.perturbed !== false || r.perturbation === ''),
  );
  const utterances = wanted.slice(0, keep(wanted.length)).map((r) => ({
    id: r.id,
    text: r.text,
    speaker: speakers[r.speaker].id,
    speakerIndex: r.speaker,
    engine: speakers[r.speaker].engine,
    perturbation: r.perturbation,
    lfbe: utteranceFeatures(corpus, r),
    seconds: r.seconds,
  }));
  return { utterances, speakers: speakers.map((s) => ({ ...s })), features: corpus.manifest.features };
}
