/**
 * The shipped `datasets/fluid-notes` (written by `scripts/datasets/fluidNotes.ts`): single
 * notes of ten General MIDI instruments rendered by FluidSynth from the FluidR3_GM SoundFont,
 * as log-mel frames with their known pitch, velocity and program and measured descriptors —
 * a laptop-sized stand-in for NSynth, for the latent-control notebook.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkLoaderOptions } from './cropDataset';
import { DatasetError } from './datasetError';
import { datasetDir, readIdxGz, readJsonGz, readManifest } from './datasetFiles';

/** The instruments: GM program (0-based), NSynth-style family, and the lowest of 25 consecutive pitches. */
export const FLUID_NOTES_INSTRUMENTS = [
  { name: 'acoustic grand piano', family: 'keyboard', program: 0, lowPitch: 48 },
  { name: 'vibraphone', family: 'mallet', program: 11, lowPitch: 53 },
  { name: 'drawbar organ', family: 'organ', program: 16, lowPitch: 48 },
  { name: 'nylon guitar', family: 'guitar', program: 24, lowPitch: 45 },
  { name: 'electric bass (finger)', family: 'bass', program: 33, lowPitch: 28 },
  { name: 'violin', family: 'string', program: 40, lowPitch: 55 },
  { name: 'trumpet', family: 'brass', program: 56, lowPitch: 55 },
  { name: 'clarinet', family: 'reed', program: 71, lowPitch: 50 },
  { name: 'flute', family: 'flute', program: 73, lowPitch: 60 },
  { name: 'square lead', family: 'synth_lead', program: 80, lowPitch: 48 },
] as const;

/**
 * How every note was turned into features: 1 s at 16 kHz, STFT 1024/256
 * (centred), 64 Slaney mels, ln with floor 1e-5, quantised to uint8.
 */
export const FLUID_NOTES_FEATURES = {
  sampleRate: 16000,
  nFft: 1024,
  hop: 256,
  nMels: 64,
  frames: 63,
  logMelMin: -11.5,
  logMelMax: 4.5,
} as const;

export type FluidNoteSplit = 'train' | 'test';
export const FLUID_NOTE_SPLITS: readonly FluidNoteSplit[] = ['train', 'test'];

/** What the dataset stores per note. */
export interface FluidNoteRecord {
  id: number;
  instrument: string;
  family: string;
  program: number;
  /** MIDI pitch (60 = middle C). */
  pitch: number;
  /** MIDI velocity 1–127. */
  velocity: number;
  split: FluidNoteSplit;
}

/** Measured on each rendered note (see `noteDescriptors`). */
export interface FluidNoteDescriptors {
  /** RMS loudness over the note, dB re full scale. */
  loudnessDb: number;
  /** Magnitude-weighted mean frequency, Hz. */
  centroidHz: number;
  /** Geometric / arithmetic mean of the power spectrum, in [0, 1]. */
  flatness: number;
  /** Fundamental frequency estimate, Hz (0 where no pitch was found). */
  f0Hz: number;
  /** Seconds from onset until the envelope first reaches 90 % of its peak. */
  attackSeconds: number;
}

export type FluidNote = FluidNoteRecord & FluidNoteDescriptors;

/** What {@link loadFluidNotes} returns. */
export interface FluidNotes {
  /** Log-mel frames [N, 63, 64] (natural log of magnitude mel energies). */
  logMel: tf.Tensor3D;
  notes: FluidNote[];
  features: typeof FLUID_NOTES_FEATURES;
}

const DESCRIPTOR_KEYS: (keyof FluidNoteDescriptors)[] = [
  'loudnessDb',
  'centroidHz',
  'flatness',
  'f0Hz',
  'attackSeconds',
];

/**
 * Loads a split (`train`, or the held-out `test` fifth of every instrument's pitch×velocity
 * grid), optionally only some instrument families, at most `limit` notes.
 */
export function loadFluidNotes(opts: {
  split: FluidNoteSplit;
  families?: string[];
  limit?: number;
  dir?: string;
}): FluidNotes {
  const keep = checkLoaderOptions('loadFluidNotes', opts, FLUID_NOTE_SPLITS);
  const families: string[] = FLUID_NOTES_INSTRUMENTS.map((i) => i.family);
  const unknown = (opts.families ?? []).find((f) => !families.includes(f));
  checkArgs('loadFluidNotes').require(
    unknown === undefined,
    `argument 'families' expected names from ${families.join(', ')} but got '${unknown}'`,
  );
  const dir = datasetDir('fluid-notes', opts.dir);
  const manifest = readManifest(dir);
  const mel = readIdxGz(dir, manifest, 'logmel.idx3-ubyte.gz');
  const { notes, features } = readJsonGz<{ notes: FluidNote[]; features: typeof FLUID_NOTES_FEATURES }>(
    dir,
    manifest,
    'notes.json.gz',
  );
  const f = FLUID_NOTES_FEATURES;
  const file = `${dir}/notes.json.gz`;
  if (!Array.isArray(notes) || JSON.stringify(features) !== JSON.stringify(f)) {
    throw new DatasetError(file, `wrong format: expected a notes list and the feature settings ${JSON.stringify(f)}`);
  }
  if (
    mel.shape.length !== 3 ||
    mel.shape[0] !== notes.length ||
    mel.shape[1] !== f.frames ||
    mel.shape[2] !== f.nMels
  ) {
    throw new DatasetError(
      `${dir}/logmel.idx3-ubyte.gz`,
      `wrong format: expected [${notes.length}, ${f.frames}, ${f.nMels}] but got [${mel.shape.join(', ')}]`,
    );
  }
  const bad = notes.findIndex(
    (n) => !FLUID_NOTE_SPLITS.includes(n.split) || DESCRIPTOR_KEYS.some((k) => !Number.isFinite(n[k])),
  );
  if (bad >= 0)
    throw new DatasetError(file, `wrong format: note ${bad} has an unknown split or a non-finite descriptor`);
  const badId = notes.findIndex((n) => !Number.isInteger(n.id) || n.id < 0 || n.id >= notes.length);
  if (badId >= 0) {
    throw new DatasetError(
      file,
      `wrong format: note ${badId} has id ${notes[badId].id}, not a row of the ${notes.length} spectrograms`,
    );
  }
  const chosen = notes.filter((n) => n.split === opts.split && (!opts.families || opts.families.includes(n.family)));
  const N = keep(chosen.length);
  const per = f.frames * f.nMels,
    scale = (f.logMelMax - f.logMelMin) / 255;
  const values = new Float32Array(N * per);
  for (let i = 0; i < N; i++) {
    const src = chosen[i].id * per;
    for (let j = 0; j < per; j++) values[i * per + j] = f.logMelMin + mel.data[src + j] * scale;
  }
  return { logMel: tf.tensor3d(values, [N, f.frames, f.nMels]), notes: chosen.slice(0, N), features: f };
}
