/**
 * The shared layout of the speech corpora (`datasets/speech-single`, `datasets/speech-speakers`):
 *
 * - `features.idx2-ubyte.gz` — uint8 codes `[F, D]`: the frames of every utterance, one after
 *   another (split order, then utterance order). Along time each utterance is delta-coded
 *   modulo 256 (its first frame holds codes, every later frame `(code_t − code_{t−1}) mod 256`),
 *   which gzip packs ~20 % smaller; {@link utteranceFeatures} undoes it.
 * - `utterances.json.gz` — per split, one record per utterance: `id`, `text`, `start` (first
 *   frame row), `frames`, `seconds` (audio duration) and corpus-specific labels.
 * - `manifest.json` — besides the files' sizes and sha256, `features` (a {@link SpeechFeatureSpec}):
 *   how the features were computed and how codes map back to values,
 *   `value = offset + step · code` (codes 0..levels−1).
 *
 * Everything is verified (sizes, checksums, shapes, record ranges, code range) before use, and
 * a problem throws a {@link DatasetError} naming the file.
 */
import { AudioMatrix } from '../audio/matrix';
import { WavAudio, readWav } from '../audio/wav';
import { checkArgs } from '../core/validate';
import { DatasetError } from './datasetError';
import { DatasetManifest, datasetDir, readIdxGz, readJsonGz, readManifest, readVerified } from './datasetFiles';

/** How a corpus's features were computed and quantised (the `features` entry of its manifest). */
export interface SpeechFeatureSpec {
  /** `log-mel` (speech-single) or `log-fbank` (Kaldi-style log filterbank energies, speech-speakers). */
  kind: 'log-mel' | 'log-fbank';
  /** The lib function that computed them and its options, as called (so notebooks compute the same). */
  function: string;
  options: Record<string, unknown>;
  /** Values per frame (80 mels or 40 filterbank energies). */
  dims: number;
  sampleRate: number;
  /** Samples between frames, and frames per second (sampleRate / hop). */
  hop: number;
  framesPerSecond: number;
  quantisation: {
    levels: number;
    offset: number;
    step: number;
    /**
     * How many values lay below `offset` (stored as `offset`) and above `offset + step·(levels−1)` (stored as that).
     */
    clipped: { low: number; high: number };
  };
}

/** The manifest of a speech corpus: the common fields plus the feature spec. */
export interface SpeechManifest extends DatasetManifest {
  features: SpeechFeatureSpec;
}

/** The fields every utterance record has. */
export interface SpeechRecord {
  id: string;
  text: string;
  start: number;
  frames: number;
  seconds: number;
}

export const FEATURES_FILE = 'features.idx2-ubyte.gz';
export const RECORDS_FILE = 'utterances.json.gz';

/** A verified speech corpus folder. */
export interface SpeechCorpus<R extends SpeechRecord, S extends string> {
  folder: string;
  manifest: SpeechManifest;
  /** Delta-coded uint8 codes `[F, D]` (decode with {@link utteranceFeatures}). */
  codes: Uint8Array;
  splits: Record<S, R[]>;
  /** The whole records file (for corpus-level fields such as the speaker list). */
  records: { splits: Record<S, R[]> } & Record<string, unknown>;
}

function checkSpec(file: string, spec: SpeechFeatureSpec | undefined): SpeechFeatureSpec {
  const q = spec?.quantisation;
  const ok =
    spec !== undefined &&
    Number.isInteger(spec.dims) &&
    spec.dims > 0 &&
    Number.isFinite(spec.framesPerSecond) &&
    spec.framesPerSecond > 0 &&
    q !== undefined &&
    Number.isInteger(q.levels) &&
    q.levels >= 2 &&
    q.levels <= 256 &&
    Number.isFinite(q.offset) &&
    Number.isFinite(q.step) &&
    q.step > 0;
  if (!ok)
    throw new DatasetError(
      file,
      'wrong format: `features` must give dims, framesPerSecond and quantisation { levels 2..256, offset, step > 0 }',
    );
  return spec!;
}

/**
 * Reads corpus `name` (or the folder `dir`): the manifest's feature spec, the verified codes
 * and records, each split's records checked to tile the code rows in order.
 */
export function readSpeechCorpus<R extends SpeechRecord, S extends string>(
  name: string,
  splits: readonly S[],
  dir?: string,
): SpeechCorpus<R, S> {
  const folder = datasetDir(name, dir);
  const manifest = readManifest(folder) as SpeechManifest;
  const spec = checkSpec(`${folder}/manifest.json`, manifest.features);
  const features = readIdxGz(folder, manifest, FEATURES_FILE);
  const featuresFile = `${folder}/${FEATURES_FILE}`;
  if (features.shape.length !== 2 || features.shape[1] !== spec.dims) {
    throw new DatasetError(
      featuresFile,
      `wrong format: expected codes [F, ${spec.dims}], got [${features.shape.join(', ')}]`,
    );
  }
  const recordsFile = `${folder}/${RECORDS_FILE}`;
  const records = readJsonGz<{ splits: Record<S, R[]> } & Record<string, unknown>>(folder, manifest, RECORDS_FILE);
  let row = 0;
  for (const split of splits) {
    const list = records?.splits?.[split];
    if (!Array.isArray(list)) throw new DatasetError(recordsFile, `wrong format: split '${split}' is missing`);
    list.forEach((r, i) => {
      const ok =
        r !== null &&
        typeof r === 'object' &&
        typeof r.id === 'string' &&
        typeof r.text === 'string' &&
        r.start === row &&
        Number.isInteger(r.frames) &&
        r.frames > 0 &&
        Number.isFinite(r.seconds);
      if (!ok)
        throw new DatasetError(
          recordsFile,
          `wrong format: split '${split}' record ${i} (${JSON.stringify(r?.id)}) ` +
            `must have id, text, seconds and frames > 0 starting at row ${row}`,
        );
      row += r.frames;
    });
  }
  if (row !== features.shape[0])
    throw new DatasetError(
      featuresFile,
      `wrong format: the records cover ${row} frames but the file has ${features.shape[0]}`,
    );
  return { folder, manifest, codes: features.data, splits: records.splits, records };
}

/**
 * The features of one utterance `[frames, D]` as float32 values: undoes the time-delta coding
 * and maps codes to `offset + step · code`. Throws if a code is ≥ levels (a corrupt file).
 */
export function utteranceFeatures(corpus: SpeechCorpus<SpeechRecord, string>, record: SpeechRecord): AudioMatrix {
  const { dims, quantisation: q } = corpus.manifest.features;
  const out = new Float32Array(record.frames * dims);
  const code = new Uint8Array(dims);
  for (let t = 0; t < record.frames; t++) {
    const base = (record.start + t) * dims;
    for (let d = 0; d < dims; d++) {
      code[d] = t === 0 ? corpus.codes[base + d] : (code[d] + corpus.codes[base + d]) & 255;
      if (code[d] >= q.levels) {
        throw new DatasetError(
          `${corpus.folder}/${FEATURES_FILE}`,
          `wrong format: utterance ${record.id} frame ${t} has code ${code[d]} ≥ ${q.levels} levels`,
        );
      }
      out[t * dims + d] = q.offset + q.step * code[d];
    }
  }
  return { data: out, rows: record.frames, cols: dims };
}

/** Delta-codes quantised codes `[frames, D]` of one utterance along time (what generators write). */
export function deltaCode(codes: Uint8Array, dims: number): Uint8Array {
  const out = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = i < dims ? codes[i] : (codes[i] - codes[i - dims]) & 255;
  return out;
}

/**
 * One of the WAV files shipped with a speech corpus to listen to (listed in its manifest,
 * size and sha256 checked): 16 kHz mono samples in [−1, 1).
 */
export function loadSpeechWav(corpus: 'speech-single' | 'speech-speakers', name: string, dir?: string): WavAudio {
  checkArgs('loadSpeechWav')
    .require(
      corpus === 'speech-single' || corpus === 'speech-speakers',
      `corpus must be 'speech-single' or 'speech-speakers', got ${String(corpus)}`,
    )
    .require(typeof name === 'string', `name must be a file name, got ${typeof name}`);
  const folder = datasetDir(corpus, dir);
  const manifest = readManifest(folder);
  const wavs = manifest.files.filter((f) => f.format === 'wav').map((f) => f.name);
  if (!wavs.includes(name))
    throw new DatasetError(`${folder}/${name}`, `not a WAV file of ${corpus} (shipped: ${wavs.join(', ')})`);
  const bytes = readVerified(folder, manifest, name);
  try {
    return readWav(bytes);
  } catch (e) {
    throw new DatasetError(`${folder}/${name}`, `wrong format: ${(e as Error).message}`);
  }
}
