/**
 * Shared steps of the speech corpus generators: read a synthesized WAV and trim its silence,
 * choose a quantisation from the features, encode the corpus files, and write the dataset
 * folder (data files, manifest.json with the feature spec, LICENSE, README.md).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetManifest, ManifestFile, gzipIdx, gzipJson, writeDataset } from '../../lib/data/datasetFiles';
import { SpeechFeatureSpec, deltaCode } from '../../lib/data/speechCorpus';
import { AudioMatrix } from '../../lib/audio/matrix';
import { readWav } from '../../lib/audio/wav';
import { REPO_ROOT } from './common';
import { filesSection, readmeHead } from './readme';
import { TEXT_COPYRIGHT_FILE, TEXT_LICENCE, TEXT_SOURCE } from './speechSentences';

/** Leading/trailing audio quieter than this (10 ms frame energy relative to the loudest frame) is cut… */
const TRIM_THRESHOLD_DB = -50;
/** …keeping this much of it on each side. */
const TRIM_MARGIN_SECONDS = 0.1;

/**
 * The samples of a synthesized 16 kHz WAV with leading and trailing silence trimmed: frames
 * of 10 ms whose mean square is more than 50 dB below the loudest frame's are silence; 0.1 s
 * of it is kept at each end. (The synthesizers pad with up to a second of silence.)
 */
export function readTrimmed(file: string, sampleRate: number): Float32Array {
  const { samples, sampleRate: rate } = readWav(file);
  if (rate !== sampleRate) throw new Error(`${file}: ${rate} Hz, expected ${sampleRate}`);
  const hop = Math.round(sampleRate / 100);
  const frames = Math.floor(samples.length / hop);
  const energy = new Float64Array(frames);
  let max = 0;
  for (let f = 0; f < frames; f++) {
    let e = 0;
    for (let i = f * hop; i < (f + 1) * hop; i++) e += samples[i] * samples[i];
    energy[f] = e / hop;
    max = Math.max(max, energy[f]);
  }
  if (max === 0) throw new Error(`${file}: silent`);
  const threshold = max * 10 ** (TRIM_THRESHOLD_DB / 10);
  let first = 0;
  while (energy[first] < threshold) first++;
  let last = frames - 1;
  while (energy[last] < threshold) last--;
  const margin = Math.round(TRIM_MARGIN_SECONDS * sampleRate);
  return samples.slice(Math.max(0, first * hop - margin), Math.min(samples.length, (last + 1) * hop + margin));
}

export const TRIM_NOTE =
  `Leading and trailing silence is trimmed before the features: 10 ms frames more than ${-TRIM_THRESHOLD_DB} dB ` +
  `below the utterance's loudest are silence, ${TRIM_MARGIN_SECONDS} s of it is kept at each end.`;

/** speech-speakers' and multimodal-emotion's features: `logFilterbankEnergies` options of Kaldi's fbank recipe. */
export const SPEAKERS_FBANK_OPTIONS = {
  nMels: 40,
  frameLengthMs: 25,
  frameShiftMs: 10,
  preemphasis: 0.97,
  lowFreq: 20,
  highFreq: 0,
  waveformScale: 32768,
};

/**
 * A quantisation `value ≈ offset + step·code`, code 0..levels−1, from `low` (the features'
 * minimum when not given; lower values are clipped to it) to the features' maximum, both
 * rounded outwards to 0.1.
 */
export function chooseQuantisation(
  features: AudioMatrix[],
  levels: number,
  low?: number,
): { levels: number; offset: number; step: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const f of features) for (const v of f.data) ((min = Math.min(min, v)), (max = Math.max(max, v)));
  const offset = Math.floor((low ?? min) * 10) / 10;
  const high = Math.ceil(max * 10) / 10;
  return { levels, offset, step: (high - offset) / (levels - 1) };
}

/** Codes of one utterance's features (clipped to 0..levels−1), and how many values were clipped. */
export function quantise(
  f: AudioMatrix,
  q: { levels: number; offset: number; step: number },
  clipped: { low: number; high: number },
): Uint8Array {
  const codes = new Uint8Array(f.data.length);
  for (let i = 0; i < f.data.length; i++) {
    const c = Math.round((f.data[i] - q.offset) / q.step);
    if (c < 0) clipped.low++;
    if (c > q.levels - 1) clipped.high++;
    codes[i] = Math.min(q.levels - 1, Math.max(0, c));
  }
  return codes;
}

/** The gzip IDX file of all utterances' delta-coded codes, concatenated in record order. */
export function encodeFeatures(codes: Uint8Array[], dims: number): Buffer {
  const rows = codes.reduce((s, c) => s + c.length / dims, 0);
  const data = new Uint8Array(rows * dims);
  let at = 0;
  for (const c of codes) {
    data.set(deltaCode(c, dims), at);
    at += c.length;
  }
  return gzipIdx({ data, shape: [rows, dims] });
}

export { gzipJson };

const SYNTH_COPYRIGHTS = [
  ['flite', '/usr/share/doc/flite/copyright'],
  ['festival voice ked_diphone (festvox-kdlpc16k)', '/usr/share/doc/festvox-kdlpc16k/copyright'],
  ['espeak-ng', '/usr/share/doc/espeak-ng-data/copyright'],
] as const;

/** The licence lines for the synthesizers a corpus used. */
export function licenceText(engines: readonly string[]): string {
  const parts = [
    'Licences of the sources of this corpus (copied from the Debian packages that made it).',
    '',
    `Text: ${TEXT_SOURCE}. ${TEXT_LICENCE}.`,
    "Speech: synthesized by the programs below; their output is not covered by the programs' own licences,",
    "except where a voice database states terms (flite's CMU ARCTIC voices and the festival diphone voices: free",
    'use and redistribution with the notices kept, reproduced below).',
    'The derived features in this folder are released under the same terms as the text: free to use and share.',
    '',
    '='.repeat(78),
    `Debian package r-cran-janeaustenr: ${TEXT_COPYRIGHT_FILE}`,
    '='.repeat(78),
    fs.readFileSync(TEXT_COPYRIGHT_FILE, 'utf8'),
  ];
  for (const [name, file] of SYNTH_COPYRIGHTS) {
    if (!engines.some((e) => name.startsWith(e))) continue;
    parts.push('='.repeat(78), `${name}: ${file}`, '='.repeat(78), fs.readFileSync(file, 'utf8'));
  }
  return parts.join('\n');
}

/** Writes `datasets/<name>` (or `dir`): files, manifest.json (with the feature spec), LICENSE, README.md. */
export function writeSpeechFolder(
  name: string,
  meta: Omit<DatasetManifest, 'files' | 'name' | 'source' | 'licence'> & { features: SpeechFeatureSpec },
  engines: readonly string[],
  files: { name: string; bytes: Buffer; format: ManifestFile['format']; description: string }[],
  readmeBody: string,
  dir: string = path.join(REPO_ROOT, 'datasets', name),
): DatasetManifest {
  fs.rmSync(dir, { recursive: true, force: true });
  const source = `${TEXT_SOURCE}; spoken by ${engines.join(', ')} (Debian packages), resampled by sox`;
  const manifest = writeDataset(
    dir,
    { name, source, licence: `${TEXT_LICENCE}; synthesizer and voice notices in LICENSE`, ...meta },
    files,
  );
  fs.writeFileSync(path.join(dir, 'LICENSE'), licenceText(engines));
  const total = manifest.files.reduce((s, f) => s + f.bytes, 0);
  const readme = [
    ...readmeHead(name, meta.description, readmeBody),
    ...filesSection(
      manifest,
      "`manifest.json` lists each file's size and sha256 and the feature spec; " +
        'the loaders check all of them and the format before using a byte.',
    ),
    '## How it was made',
    '',
    `\`npm run datasets\` (or \`npm run build && node dist/${meta.generator.replace(/\.ts$/, '.js')}\`), ` +
      `seed ${meta.seed}, needs the Debian packages`,
    '`r-cran-janeaustenr` (brings `Rscript`), `flite`, `festival`, `festvox-kdlpc16k`, `espeak-ng` and `sox`.',
    'Synthesized WAVs are cached in `$SPEECH_WAV_CACHE` (default: the OS temp folder) and never committed;',
    'every step is deterministic (the synthesizers are, ' +
      'sox runs without dither), so a rebuild writes byte-identical files.',
    '',
    '## Licence',
    '',
    `${TEXT_LICENCE}. Synthesizer and voice notices: see LICENSE.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'README.md'), readme);
  console.log(`wrote ${dir}: ${manifest.files.length} files, ${(total / 1e6).toFixed(2)} MB`);
  return manifest;
}
