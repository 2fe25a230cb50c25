/**
 * Loader of the shipped `datasets/multimodal-emotion` (written by
 * `scripts/datasets/multimodalEmotion.ts`; its README documents how each modality carries each
 * emotion): per utterance the audio (40-dim log filterbank energies at 10 ms, stacked 5 → 200-dim
 * frames at 20/s), the face stream (32-dim frozen-CNN embeddings, one per stacked audio frame),
 * the text, the speaker and — in the labelled splits — six Likert emotion intensities 0–3.
 *
 * Splits: `pretrain` (VoxCeleb2's role: transcripts and speaker ids only), `train`, `dev`,
 * `test` (CMU-MOSEI's role: emotion labels). Files are checked (size, sha256, shapes, record
 * ranges, label range) before use; a problem throws a DatasetError naming the file.
 */
import { AudioMatrix } from '../audio/matrix';
import { stackFrames } from '../audio/stackFrames';
import { WavAudio, readWav } from '../audio/wav';
import { checkArgs } from '../core/validate';
import { checkLoaderOptions } from './cropDataset';
import { DatasetError } from './datasetError';
import { datasetDir, readIdxGz, readManifest, readVerified } from './datasetFiles';
import { SpeechFeatureSpec, SpeechRecord, readSpeechCorpus, utteranceFeatures } from './speechCorpus';

export type MultimodalSplit = 'pretrain' | 'train' | 'dev' | 'test';
export const MULTIMODAL_SPLITS: readonly MultimodalSplit[] = ['pretrain', 'train', 'dev', 'test'];
export const EMOTION_NAMES = ['happy', 'sad', 'anger', 'fear', 'disgust', 'surprise'] as const;
/** LFBE frames stacked into one audio frame (and per face frame). */
export const MULTIMODAL_STACK = 5;
const VISUAL_FILE = 'visual.idx2-ubyte.gz';
const FACES_FILE = 'faces.idx4-ubyte.gz';

interface MultimodalRecord extends SpeechRecord {
  speaker: number;
  visualStart: number;
  visualFrames: number;
  labels?: number[];
  cues?: Record<'text' | 'audio' | 'visual', number[]>;
}

/** One utterance of multimodal-emotion. */
export interface MultimodalUtterance {
  id: string;
  text: string;
  speakerIndex: number;
  /** Stacked log filterbank energies [U, 200] (5 × 40 at 10 ms → one frame per 50 ms). */
  audio: AudioMatrix;
  /** Face embeddings [U, 32] in [−1, 1], one per audio frame. */
  visual: AudioMatrix;
  /** Likert intensity 0–3 per emotion ({@link EMOTION_NAMES} order); absent in `pretrain`. */
  labels?: number[];
  /** What the generator made each modality express (0–3 per emotion); absent in `pretrain`. */
  cues?: Record<'text' | 'audio' | 'visual', number[]>;
  seconds: number;
}

export interface MultimodalEmotion {
  utterances: MultimodalUtterance[];
  speakers: { id: string; engine: string; description: string }[];
  features: SpeechFeatureSpec;
}

/** Loads one split (everything verified first); `limit` keeps the first `limit` utterances. */
export function loadMultimodalEmotion(opts: {
  split: MultimodalSplit;
  limit?: number;
  dir?: string;
}): MultimodalEmotion {
  const keep = checkLoaderOptions('loadMultimodalEmotion', opts, MULTIMODAL_SPLITS);
  const corpus = readSpeechCorpus<MultimodalRecord, MultimodalSplit>('multimodal-emotion', MULTIMODAL_SPLITS, opts.dir);
  const recordsFile = `${corpus.folder}/utterances.json.gz`;
  const visualFile = `${corpus.folder}/${VISUAL_FILE}`;
  const visual = readIdxGz(corpus.folder, corpus.manifest, VISUAL_FILE);
  if (visual.shape.length !== 2 || visual.shape[1] !== 32)
    throw new DatasetError(visualFile, `wrong format: expected embeddings [F, 32], got [${visual.shape.join(', ')}]`);
  const speakers = corpus.records.speakers as MultimodalEmotion['speakers'] | undefined;
  if (!Array.isArray(speakers) || speakers.some((s) => typeof s?.id !== 'string'))
    throw new DatasetError(recordsFile, 'wrong format: `speakers` must list { id, engine, description }');
  let row = 0;
  for (const split of MULTIMODAL_SPLITS) {
    corpus.splits[split].forEach((r, i) => {
      const where = `split '${split}' record ${i} (${r.id})`;
      if (r.visualStart !== row || r.visualFrames * MULTIMODAL_STACK !== r.frames)
        throw new DatasetError(
          recordsFile,
          `wrong format: ${where} must start its face frames at row ${row} with frames/${MULTIMODAL_STACK} of them`,
        );
      if (!Number.isInteger(r.speaker) || r.speaker < 0 || r.speaker >= speakers.length)
        throw new DatasetError(recordsFile, `wrong format: ${where} has speaker ${r.speaker} (of ${speakers.length})`);
      const labelled = split !== 'pretrain';
      if (
        labelled &&
        !(
          Array.isArray(r.labels) &&
          r.labels.length === 6 &&
          r.labels.every((l) => Number.isInteger(l) && l >= 0 && l <= 3)
        )
      ) {
        throw new DatasetError(recordsFile, `wrong format: ${where} must have six Likert labels 0–3`);
      }
      row += r.visualFrames;
    });
  }
  if (row !== visual.shape[0])
    throw new DatasetError(
      visualFile,
      `wrong format: the records cover ${row} face frames but the file has ${visual.shape[0]}`,
    );
  const records = corpus.splits[opts.split];
  const utterances = records.slice(0, keep(records.length)).map((r) => {
    const emb = new Float32Array(r.visualFrames * 32);
    for (let i = 0; i < emb.length; i++) emb[i] = visual.data[r.visualStart * 32 + i] / 127.5 - 1;
    return {
      id: r.id,
      text: r.text,
      speakerIndex: r.speaker,
      seconds: r.seconds,
      audio: stackFrames(utteranceFeatures(corpus, r), MULTIMODAL_STACK),
      visual: { data: emb, rows: r.visualFrames, cols: 32 },
      ...(r.labels ? { labels: [...r.labels], cues: r.cues } : {}),
    };
  });
  return {
    utterances,
    speakers: speakers.map((s) => ({ id: s.id, engine: s.engine, description: s.description })),
    features: corpus.manifest.features,
  };
}

/** The raw face frames and WAV of the data-tour utterances. */
export interface MultimodalTourItem {
  id: string;
  /** uint8 RGB frames [frames, 32, 32, 3], row-major. */
  frames: Uint8Array;
  frameCount: number;
  audio: WavAudio;
}

/** The tour utterances shipped with raw faces and audio (checked like every file). */
export function loadMultimodalTour(opts: { dir?: string } = {}): MultimodalTourItem[] {
  checkArgs('loadMultimodalTour').require(opts !== null && typeof opts === 'object', 'opts must be an object');
  const folder = datasetDir('multimodal-emotion', opts.dir);
  const manifest = readManifest(folder);
  const faces = readIdxGz(folder, manifest, FACES_FILE);
  if (faces.shape.length !== 4 || faces.shape[1] !== 32 || faces.shape[2] !== 32 || faces.shape[3] !== 3) {
    throw new DatasetError(
      `${folder}/${FACES_FILE}`,
      `wrong format: expected frames [n, 32, 32, 3], got [${faces.shape.join(', ')}]`,
    );
  }
  const corpus = readSpeechCorpus<MultimodalRecord, MultimodalSplit>('multimodal-emotion', MULTIMODAL_SPLITS, opts.dir);
  const tour = corpus.records.tour as { id: string; first: number; frames: number; wav: string }[];
  return tour.map((t) => {
    if (t.first + t.frames > faces.shape[0])
      throw new DatasetError(
        `${folder}/${FACES_FILE}`,
        `wrong format: tour ${t.id} needs frames up to ${t.first + t.frames}, file has ${faces.shape[0]}`,
      );
    const size = 32 * 32 * 3;
    let audio: WavAudio;
    try {
      audio = readWav(readVerified(folder, manifest, t.wav));
    } catch (e) {
      if (e instanceof DatasetError) throw e;
      throw new DatasetError(`${folder}/${t.wav}`, `wrong format: ${(e as Error).message}`);
    }
    return {
      id: t.id,
      frames: faces.data.slice(t.first * size, (t.first + t.frames) * size),
      frameCount: t.frames,
      audio,
    };
  });
}
