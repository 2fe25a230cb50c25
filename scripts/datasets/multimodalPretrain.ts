/**
 * Writes multimodal-pretrain-N (issue 23) into out/datasets/ — not shipped: N utterances for
 * notebook 08's multi-task pre-training (VoxCeleb2's role), made so that what pre-training
 * transfers can be told from what it leaks:
 *
 *   - text: emotion-neutral sentences (`neutralSentence`), none of the emotion lexicon's words;
 *   - audio: no emotion prosody — only the per-utterance pitch, tempo jitter and base gain that
 *     every utterance of the shipped corpus has (`prosodyEffects` of no cues);
 *   - faces: no expression — the speaker's look, lip sync and the per-utterance noise;
 *   - voices: 48 espeak-ng voices, the 8 English accents × 16 voice variants that no voice of the
 *     labelled splits uses (each variant on 3 accents), each with its own face look.
 *
 * Streams are made exactly as in the shipped corpus (./multimodalRender.ts) — the same face
 * encoder (the shipped corpus's seed; checked on its tour faces before a byte is written) and
 * its feature quantisation — in its format, so `loadMultimodalEmotion({ split: 'pretrain', dir })`
 * reads it. The labelled splits are empty.
 *
 *   npm run build && node dist/scripts/datasets/multimodalPretrain.js [--count N]
 *
 * `npm run train -- multimodal-*` calls {@link buildMultimodalPretrain} itself when the corpus is
 * not there yet.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Rng, initBackend, progress } from '../../lib';
import { projectRoot } from '../../lib/core/projectRoot';
import { readManifest, writeDataset } from '../../lib/data/datasetFiles';
import { loadMultimodalEmotion, loadMultimodalTour } from '../../lib/data/multimodalEmotion';
import { SpeechFeatureSpec } from '../../lib/data/speechCorpus';
import { parseCommandLine } from '../cliArgs';
import { randomLook } from './faceRaster';
import { EMOTIONS, LEXICON, neutralSentence, prosodyEffects } from './multimodalPlan';
import {
  STACK,
  PlannedUtterance,
  corpusFaceEncoder,
  multimodalStreamFiles,
  multimodalWavFile,
  renderUtterance,
  synthesizeMultimodal,
} from './multimodalRender';
import { quantise } from './speechCommon';
import { SAMPLE_RATE, VOICES, Voice, espeakVoice } from './speechVoices';

const NAME = 'multimodal-pretrain';
export const PRETRAIN_CORPUS_SEED = 2308;
const ACCENTS: [string, string][] = [
  ['en-us', 'American English'],
  ['en', 'British English'],
  ['en-gb-scotland', 'Scottish English'],
  ['en-gb-x-gbclan', 'Lancaster English'],
  ['en-gb-x-rp', 'Received Pronunciation'],
  ['en-gb-x-gbcwmd', 'West Midlands English'],
  ['en-029', 'Caribbean English'],
  ['en-us-nyc', 'New York City English'],
];
/** espeak-ng voice variants that no voice of speech-speakers (and so of the labelled splits) uses. */
const VARIANTS = [
  'm1',
  'm2',
  'm5',
  'm6',
  'm8',
  'klatt2',
  'klatt4',
  'Annie',
  'belinda',
  'linda',
  'aunty',
  'anika',
  'Andrea',
  'john',
  'david',
  'Lee',
];
const VARIANTS_PER_ACCENT = 6;

/** The 48 pre-training voices: accent i speaks variants 6i … 6i + 5 (mod 16). */
export const PRETRAIN_VOICES: Voice[] = ACCENTS.flatMap(([accent, name], i) =>
  Array.from({ length: VARIANTS_PER_ACCENT }, (_, j) => {
    const variant = VARIANTS[(i * VARIANTS_PER_ACCENT + j) % VARIANTS.length];
    return espeakVoice(`${accent}+${variant}`, `espeak-ng ${name}, variant ${variant}`);
  }),
);

/** The default folder of the corpus with `count` utterances. */
export function multimodalPretrainDir(count: number): string {
  return path.join(projectRoot(), 'out', 'datasets', `${NAME}-${count}`);
}

/** The corpus's utterances: a neutral sentence, a voice, no cues (all draws from one seeded Rng). */
export function makePretrainPlan(count: number): PlannedUtterance[] {
  const rng = new Rng(PRETRAIN_CORPUS_SEED);
  const none = EMOTIONS.map(() => 0);
  return Array.from({ length: count }, (_, i) => ({
    id: `pretrain-${String(i).padStart(5, '0')}`,
    split: 'pretrain',
    labels: none,
    cues: { text: none, audio: none, visual: none },
    text: neutralSentence(rng),
    speaker: rng.int(PRETRAIN_VOICES.length),
    effects: prosodyEffects(none, rng),
  }));
}

/** Throws when a voice's variant was not applied (espeak-ng falls back to the plain accent silently). */
async function checkVariantsApplied(): Promise<void> {
  const probe = 'one two three four';
  const base = (v: Voice): Voice => ({ ...v, id: `${v.id}-probe-base`, name: v.name.split('+')[0] });
  const voices = [...PRETRAIN_VOICES, ...PRETRAIN_VOICES.map(base)];
  const utts: PlannedUtterance[] = voices.map((_, i) => ({
    id: `probe-${i}`,
    split: 'probe',
    labels: [],
    cues: { text: [], audio: [], visual: [] },
    text: probe,
    speaker: i,
    effects: [],
  }));
  await synthesizeMultimodal(utts, voices, `${NAME}: voice check`);
  const hash = (i: number): string =>
    crypto
      .createHash('sha1')
      .update(fs.readFileSync(multimodalWavFile(utts[i], voices[i])))
      .digest('hex');
  const n = PRETRAIN_VOICES.length;
  const same = PRETRAIN_VOICES.filter((_, i) => hash(i) === hash(n + i)).map((v) => v.id);
  if (same.length > 0) throw new Error(`${NAME}: espeak-ng ignored the variant of ${same.join(', ')}`);
}

/**
 * The shipped corpus's face encoder, retrained from its seed; throws unless it embeds the shipped
 * tour faces to the shipped embeddings (within one uint8 code).
 */
function shippedFaceEncoder(seed: number): ReturnType<typeof corpusFaceEncoder> {
  const encoder = corpusFaceEncoder(seed);
  const test = new Map(loadMultimodalEmotion({ split: 'test' }).utterances.map((u) => [u.id, u]));
  let worst = 0;
  for (const item of loadMultimodalTour()) {
    const shipped = test.get(item.id)!.visual.data;
    const mine = encoder.embed(item.frames, item.frameCount);
    for (let i = 0; i < mine.length; i++) {
      const code = Math.round((Math.max(-1, Math.min(1, mine[i])) + 1) * 127.5);
      worst = Math.max(worst, Math.abs(code - Math.round((shipped[i] + 1) * 127.5)));
    }
  }
  if (worst > 1)
    throw new Error(
      `${NAME}: the face encoder retrained from seed ${seed} differs from the shipped corpus's ` +
        `(up to ${worst} codes on its tour faces): a different tfjs backend?`,
    );
  return encoder;
}

/**
 * Synthesizes, renders and writes the corpus into `dir` (split `pretrain` only; the labelled
 * splits empty). Returns the manifest's sha256 of its fields.
 */
export async function buildMultimodalPretrain(count: number, dir: string): Promise<string> {
  const t0 = Date.now();
  const shippedDir = path.join(projectRoot(), 'datasets', 'multimodal-emotion');
  const shipped = readManifest(shippedDir) as unknown as { seed: number; features: SpeechFeatureSpec };
  const plan = makePretrainPlan(count);
  const lexicon = new Set(Object.values(LEXICON).flat());
  const leaked = plan.find((u) => u.text.split(' ').some((w) => lexicon.has(w)));
  if (leaked) throw new Error(`${NAME}: sentence "${leaked.text}" holds an emotion word`);
  await checkVariantsApplied();
  await synthesizeMultimodal(plan, PRETRAIN_VOICES, `${NAME}: synthesize`);
  const encoder = shippedFaceEncoder(shipped.seed);
  const lookRng = new Rng(PRETRAIN_CORPUS_SEED + 1);
  const looks = PRETRAIN_VOICES.map(() => randomLook(lookRng));

  const bar = progress({ total: plan.length, label: `${NAME}: features and faces` });
  const frameRng = new Rng(PRETRAIN_CORPUS_SEED + 2);
  const q = shipped.features.quantisation;
  const clipped = { low: 0, high: 0 };
  const codes: Uint8Array[] = [];
  const visual: Uint8Array[] = [];
  const records: object[] = [];
  let start = 0,
    visualStart = 0,
    seconds = 0;
  plan.forEach((u, i) => {
    const r = renderUtterance(u, PRETRAIN_VOICES, looks[u.speaker], encoder, frameRng);
    codes.push(quantise(r.feats, q, clipped));
    visual.push(r.visual);
    const s = r.samples.length / SAMPLE_RATE;
    records.push({
      id: u.id,
      text: u.text,
      speaker: u.speaker,
      start,
      frames: r.feats.rows,
      seconds: Number(s.toFixed(4)),
      visualStart,
      visualFrames: r.frames,
    });
    start += r.feats.rows;
    visualStart += r.frames;
    seconds += s;
    if ((i + 1) % 50 === 0 || i === plan.length - 1) bar.update(i + 1);
  });
  bar.done();
  const speakers = PRETRAIN_VOICES.map((v, i) => ({
    id: v.id,
    engine: v.engine,
    description: v.description,
    look: looks[i],
  }));
  const labelledVoices = new Set(VOICES.map((v) => v.name));
  const shared = PRETRAIN_VOICES.filter((v) => labelledVoices.has(v.name));
  if (shared.length > 0)
    throw new Error(`${NAME}: ${shared.map((v) => v.id).join(', ')} also speak the labelled splits`);

  fs.rmSync(dir, { recursive: true, force: true });
  const manifest = writeDataset(
    dir,
    {
      name: NAME,
      description:
        `${count} emotion-neutral pre-training utterances (48 espeak-ng voices disjoint from the labelled ` +
        `splits', neutral prosody and faces) in multimodal-emotion's format, for notebook 08's pre-training; ` +
        'not shipped',
      generator: 'scripts/datasets/multimodalPretrain.ts',
      seed: PRETRAIN_CORPUS_SEED,
      source:
        'Sentences written for backprop-lab, speech by espeak-ng (Debian) processed by sox, faces rendered ' +
        'and embedded as in multimodal-emotion',
      licence: "MIT (backprop-lab) for the text, faces and features; espeak-ng's notice in its Debian copyright",
      counts: { speakers: speakers.length, frames: start, videoFrames: visualStart, pretrain: count },
      features: { ...shipped.features, quantisation: { ...q, clipped } },
    } as Parameters<typeof writeDataset>[1],
    [
      ...multimodalStreamFiles(
        codes,
        visual,
        { emotions: EMOTIONS, speakers, splits: { pretrain: records, train: [], dev: [], test: [] }, tour: [] },
        'speakers (with their face look) and the pretrain split: id, text, speaker, frame ranges, seconds',
      ),
    ],
  );
  console.log(
    `${NAME}: ${count} utterances, ${(seconds / 3600).toFixed(2)} h, ${STACK * visualStart} frames, ` +
      `${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  return manifest.manifestSha256 ?? '';
}

if (require.main === module) {
  const { values } = parseCommandLine('datasets multimodal-pretrain', process.argv.slice(2), {
    count: { type: 'number', rule: 'positive-integer', default: 6000 },
    out: { type: 'string', expects: 'a folder' },
  });
  initBackend({ quiet: true })
    .then(() => buildMultimodalPretrain(values.count, values.out ?? multimodalPretrainDir(values.count)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
