/**
 * How one planned multimodal utterance becomes its three streams, shared by the shipped corpus
 * (./multimodalEmotion.ts) and the pre-training corpus built on demand (./multimodalPretrain.ts):
 *
 *   audio   the voice reads the text, sox applies the prosody effects (16 kHz mono, no dither),
 *           silence trimmed, 40-dim log filterbank energies every 10 ms, cut to a multiple of 5;
 *   visual  one 32×32 face per 50 ms: the speaker's look, the expression of the visual cues
 *           (building up over the first 200 ms) and a mouth that opens with the loudness of
 *           each 50 ms of the audio (lip sync), embedded by the frozen face CNN.
 */
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Rng, progress } from '../../lib';
import { rmsDb } from '../../lib/audio/loudness';
import { logFilterbankEnergies } from '../../lib/audio/fbank';
import { AudioMatrix } from '../../lib/audio/matrix';
import { ManifestFile, gzipIdx, gzipJson } from '../../lib/data/datasetFiles';
import { EMBEDDING_DIM, FaceEncoder, trainFaceEncoder } from './faceCnn';
import { FACE_SIZE, FaceLook, renderFace } from './faceRaster';
import { UtterancePlan, expressionOf } from './multimodalPlan';
import { SPEAKERS_FBANK_OPTIONS as FBANK_OPTIONS, encodeFeatures, readTrimmed } from './speechCommon';
import { JOBS, SAMPLE_RATE, Voice, WAV_CACHE } from './speechVoices';

/** Stacked audio frames (5 × 10 ms) per video frame: the face is drawn at the stacked rate, 20 frames/s. */
export const STACK = 5;

/** One utterance to make: what it says and shows, who says it, and the sox prosody of its audio cues. */
export interface PlannedUtterance extends UtterancePlan {
  id: string;
  split: string;
  effects: string[];
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 24 }, (err, _o, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message} ${stderr}`)) : resolve(),
    );
  });
}

/** The cached WAV of one utterance read by `voice` (voice, text and sox effects in the key). */
export function multimodalWavFile(u: PlannedUtterance, voice: Voice): string {
  const key = crypto
    .createHash('sha1')
    .update(`${voice.engine}\n${voice.name}\n${u.effects.join(' ')}\n${u.text}`)
    .digest('hex');
  return path.join(WAV_CACHE, 'multimodal', voice.id, `${key}.wav`);
}

/**
 * Synthesizes every uncached utterance (`voices[u.speaker]` reads `u.text`, then sox applies
 * `u.effects`), at most JOBS processes at a time, with a progress bar labelled `label`.
 */
export async function synthesizeMultimodal(utts: PlannedUtterance[], voices: Voice[], label: string): Promise<void> {
  const todo = utts.filter((u) => !fs.existsSync(multimodalWavFile(u, voices[u.speaker])));
  const bar = progress({ total: Math.max(1, todo.length), label });
  let next = 0,
    done = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const u = todo[next++];
      const v = voices[u.speaker];
      const out = multimodalWavFile(u, v),
        raw = `${out}.raw.wav`;
      fs.mkdirSync(path.dirname(out), { recursive: true });
      if (v.engine === 'flite') await run('flite', ['-voice', v.name, '-t', u.text, '-o', raw]);
      else await run('espeak-ng', ['-v', v.name, '-w', raw, u.text]);
      await run('sox', ['-D', raw, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', `${out}.tmp.wav`, ...u.effects]);
      fs.unlinkSync(raw);
      fs.renameSync(`${out}.tmp.wav`, out);
      bar.update(++done);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  bar.done(`${todo.length} synthesized, ${utts.length - todo.length} from the cache`);
}

/** Speech mouth opening per video frame: RMS over each 50 ms, 0 at 35 dB below the loudest frame, 1 at 5 dB below. */
function mouthOpening(samples: Float32Array, frames: number): number[] {
  const db = rmsDb(samples, { frameLength: 800, hop: 800, center: false });
  const max = Math.max(...db);
  return Array.from({ length: frames }, (_, t) =>
    Math.max(0, Math.min(1, (db[Math.min(t, db.length - 1)] - (max - 35)) / 30)),
  );
}

/**
 * The corpus's frozen face encoder: trained on FACE_CNN_FACES (default 6,000) random faces for
 * FACE_CNN_STEPS (default 600) steps with `seed` — deterministic on one backend, so a corpus built
 * later with the shipped corpus's seed embeds faces as the shipped corpus does.
 */
export function corpusFaceEncoder(seed: number): FaceEncoder & { faces: number } {
  const faces = Number(process.env.FACE_CNN_FACES ?? 6000);
  const encoder = trainFaceEncoder({ count: faces, steps: Number(process.env.FACE_CNN_STEPS ?? 600), seed });
  const mse = encoder.heldOutMse;
  console.log(`face CNN: held-out parameter MSE ${mse.before.toFixed(3)} → ${mse.after.toFixed(3)}`);
  return { ...encoder, faces };
}

/** The streams of one utterance. */
export interface RenderedUtterance {
  /** Trimmed 16 kHz audio. */
  samples: Float32Array;
  /** Log filterbank energies [STACK · frames, 40]. */
  feats: AudioMatrix;
  /** Raw faces [frames · 32 · 32 · 3], uint8 RGB. */
  faces: Uint8Array;
  /** Face embeddings [frames · 32] as uint8 codes (value = code / 127.5 − 1). */
  visual: Uint8Array;
  frames: number;
}

/**
 * Renders utterance `u` (its WAV already synthesized by `voices[u.speaker]`) with the face `look`;
 * the expression noise is drawn from `frameRng`, so utterances must be rendered in a fixed order.
 */
export function renderUtterance(
  u: PlannedUtterance,
  voices: Voice[],
  look: FaceLook,
  encoder: FaceEncoder,
  frameRng: Rng,
): RenderedUtterance {
  const samples = readTrimmed(multimodalWavFile(u, voices[u.speaker]), SAMPLE_RATE);
  const f = logFilterbankEnergies(samples, SAMPLE_RATE, FBANK_OPTIONS);
  const frames = Math.floor(f.rows / STACK);
  const feats = { data: f.data.slice(0, frames * STACK * 40), rows: frames * STACK, cols: 40 };
  const e = expressionOf(u.cues.visual, frameRng);
  const faces = new Uint8Array(frames * FACE_SIZE * FACE_SIZE * 3);
  mouthOpening(samples, frames).forEach((open, t) => {
    const onset = Math.min(1, (t + 1) / 4); // the expression builds up over the first 200 ms
    const et = {
      ...e,
      browRaise: e.browRaise * onset,
      browTilt: e.browTilt * onset,
      smile: e.smile * onset,
      sneer: e.sneer * onset,
      jaw: e.jaw * onset,
      eyeOpen: 1 + (e.eyeOpen - 1) * onset,
    };
    faces.set(renderFace(look, et, open), t * FACE_SIZE * FACE_SIZE * 3);
  });
  const emb = encoder.embed(faces, frames);
  const visual = Uint8Array.from(emb, (v) => Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5));
  return { samples, feats, faces, visual, frames };
}

/** A file of a dataset folder, as `writeDataset` takes it. */
type DatasetFile = { name: string; bytes: Buffer; format: ManifestFile['format']; description: string };

/**
 * The three files of a multimodal corpus (record order): the feature codes [rows, 40], the face
 * embeddings (one uint8 row of 32 per video frame, `visual` concatenated) and the records
 * (`records`, described by `recordsDescription`).
 */
export function multimodalStreamFiles(
  codes: Uint8Array[],
  visual: Uint8Array[],
  records: unknown,
  recordsDescription: string,
): DatasetFile[] {
  const rows = codes.reduce((n, c) => n + c.length / 40, 0);
  const visualAll = new Uint8Array(visual.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of visual) (visualAll.set(v, at), (at += v.length));
  const videoFrames = visualAll.length / EMBEDDING_DIM;
  return [
    {
      name: 'features.idx2-ubyte.gz',
      bytes: encodeFeatures(codes, 40),
      format: 'idx-gz',
      description: `uint8 [${rows}, 40] delta-coded log filterbank codes of every utterance (record order)`,
    },
    {
      name: 'visual.idx2-ubyte.gz',
      bytes: gzipIdx({ data: visualAll, shape: [videoFrames, EMBEDDING_DIM] }),
      format: 'idx-gz',
      description: `uint8 [${videoFrames}, ${EMBEDDING_DIM}] frozen-CNN face embeddings, one per 50 ms (record order)`,
    },
    { name: 'utterances.json.gz', bytes: gzipJson(records), format: 'json-gz', description: recordsDescription },
  ];
}
