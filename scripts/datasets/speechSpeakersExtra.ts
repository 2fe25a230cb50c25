/**
 * Writes speech-speakers-extra: more training utterances for the listener (issue 19), in
 * speech-speakers' format and feature coding, into out/datasets/ — not shipped. The listener
 * trained on the shipped corpora spells the sentences it was trained on about twice as well as
 * unseen ones, so it needs more distinct sentences than the repo's size budget holds; the
 * synthesizers make them in minutes. Which utterances: `makeExtraPlan` (./speechPlan.ts), only
 * sentences of the shared training pool, every seen speaker, about half of them sox-perturbed.
 *
 *   npm run build && node dist/scripts/datasets/speechSpeakersExtra.js [--per-speaker N] [--out DIR]
 *
 * The listener's trainer calls {@link buildSpeakersExtra} itself when `--extra-per-speaker N` names
 * a corpus that is not there yet.
 */
import * as path from 'path';
import { progress } from '../../lib';
import { logFilterbankEnergies } from '../../lib/audio/fbank';
import { projectRoot } from '../../lib/core/projectRoot';
import { readManifest } from '../../lib/data/datasetFiles';
import { SpeechFeatureSpec } from '../../lib/data/speechCorpus';
import { parseCommandLine } from '../cliArgs';
import {
  SPEAKERS_FBANK_OPTIONS,
  TRIM_NOTE,
  encodeFeatures,
  gzipJson,
  quantise,
  readTrimmed,
  writeSpeechFolder,
} from './speechCommon';
import { EXTRA_MAX_CHARS, EXTRA_SEED, HELD_OUT_SPEAKERS, makeExtraPlan } from './speechPlan';
import { TEXT_SOURCE } from './speechSentences';
import { SAMPLE_RATE, VOICES, synthesizeWithProgress, wavPath } from './speechVoices';

/** The default folder of the corpus with `perSpeaker` utterances per seen speaker. */
export function speakersExtraDir(perSpeaker: number): string {
  return path.join(projectRoot(), 'out', 'datasets', `speech-speakers-extra-${perSpeaker}`);
}

/**
 * Synthesizes, featurises and writes the corpus into `dir` (its splits: `train` only; `val`,
 * `test` and `test-speakers` empty). Features use the shipped speech-speakers' quantisation, so
 * both corpora decode to the same grid. Returns the manifest's sha256 of its fields.
 */
export async function buildSpeakersExtra(perSpeaker: number, dir: string): Promise<string> {
  const t0 = Date.now();
  const shipped = readManifest(path.join(projectRoot(), 'datasets', 'speech-speakers')) as unknown as {
    features: SpeechFeatureSpec;
  };
  const q = shipped.features.quantisation;
  const plan = makeExtraPlan(perSpeaker);
  await synthesizeWithProgress(plan, 'speech-speakers-extra: synthesize');

  const featBar = progress({ total: plan.length, label: 'speech-speakers-extra: features' });
  const clipped = { low: 0, high: 0 };
  const codes: Uint8Array[] = [];
  const speakerIndex = new Map(VOICES.map((v, i) => [v.id, i]));
  const train: object[] = [];
  let start = 0;
  let seconds = 0;
  plan.forEach((u, i) => {
    const samples = readTrimmed(wavPath(u.voice, u.text, u.perturbation), SAMPLE_RATE);
    const f = logFilterbankEnergies(samples, SAMPLE_RATE, SPEAKERS_FBANK_OPTIONS);
    codes.push(quantise(f, q, clipped));
    const s = samples.length / SAMPLE_RATE;
    train.push({
      id: u.id,
      text: u.text,
      speaker: speakerIndex.get(u.voice.id)!,
      perturbation: u.perturbation,
      start,
      frames: f.rows,
      seconds: Number(s.toFixed(4)),
    });
    start += f.rows;
    seconds += s;
    if ((i + 1) % 100 === 0 || i === plan.length - 1) featBar.update(i + 1);
  });
  featBar.done();

  const speakers = VOICES.map((v) => ({
    id: v.id,
    engine: v.engine,
    description: v.description,
    heldOut: HELD_OUT_SPEAKERS.includes(v.id),
  }));
  const seen = VOICES.length - HELD_OUT_SPEAKERS.length;
  const body = `
Training utterances only, for the listener's trainer (\`npm run train -- listener --extra-per-speaker ${perSpeaker}\`):
${perSpeaker} sentences of 20–${EXTRA_MAX_CHARS} characters for each of the ${seen} seen speakers of speech-speakers,
drawn from the training pool of the sentence partition both speech corpora share (${TEXT_SOURCE}),
so no val/test sentence of either corpus is in it. About half are sox-perturbed (\`speed 0.9|1.1\`,
\`pitch ±300\` cents), labelled in \`perturbation\`. Held-out speakers are not in it. ${TRIM_NOTE}
${plan.length} utterances, ${(seconds / 3600).toFixed(2)} h, ${start} frames. Features and quantisation are
speech-speakers' (value = ${q.offset} + ${q.step.toPrecision(6)} · code); ${clipped.low} values below the floor.
Not shipped: \`node dist/scripts/datasets/speechSpeakersExtra.js --per-speaker ${perSpeaker}\` remakes it
byte for byte.`;
  const manifest = writeSpeechFolder(
    'speech-speakers-extra',
    {
      description:
        `${plan.length} more training utterances (${perSpeaker} per seen speaker) in speech-speakers' ` +
        `format, for the listener's trainer; not shipped`,
      generator: 'scripts/datasets/speechSpeakersExtra.ts',
      seed: EXTRA_SEED,
      counts: { speakers: VOICES.length, frames: start, train: plan.length, perSpeaker },
      features: { ...shipped.features, quantisation: { ...q, clipped } },
    },
    ['flite', 'festival', 'espeak-ng'],
    [
      {
        name: 'features.idx2-ubyte.gz',
        bytes: encodeFeatures(codes, 40),
        format: 'idx-gz',
        description: `uint8 [${start}, 40] delta-coded log filterbank codes of every utterance (record order)`,
      },
      {
        name: 'utterances.json.gz',
        bytes: gzipJson({ speakers, splits: { train, val: [], test: [], 'test-speakers': [] } }),
        format: 'json-gz',
        description: 'speakers; the train split: id, text, speaker index, perturbation, first frame, frames, seconds',
      },
    ],
    body,
    dir,
  );
  console.log(
    `speech-speakers-extra: ${plan.length} utterances, ${(seconds / 3600).toFixed(2)} h, ` +
      `${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return manifest.manifestSha256 ?? '';
}

if (require.main === module) {
  const { values } = parseCommandLine('datasets speech-speakers-extra', process.argv.slice(2), {
    'per-speaker': { type: 'number', rule: 'positive-integer', default: 600 },
    out: { type: 'string', expects: 'a folder' },
  });
  const perSpeaker = values['per-speaker'];
  buildSpeakersExtra(perSpeaker, values.out ?? speakersExtraDir(perSpeaker)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
