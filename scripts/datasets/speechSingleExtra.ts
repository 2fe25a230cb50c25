/**
 * Writes speech-single-extra: more training utterances for the Tacotron teacher (issue 20), in
 * speech-single's format, mel convention and quantisation, into out/datasets/ — not shipped. The
 * teacher trained on speech-single's 1,300 sentences fits them better than unseen ones (its
 * teacher-forced loss is about a fifth lower on training than on validation sentences), and the
 * repo's size budget holds no more; flite makes thousands in minutes. Which sentences:
 * `makeSingleExtraPlan` (./speechPlan.ts), the shared partition's training pool after speech-single's own.
 *
 *   npm run build && node dist/scripts/datasets/speechSingleExtra.js [--count N] [--out DIR]
 *
 * The teacher's trainer calls {@link buildSingleExtra} itself when `--extra N` names a corpus that
 * is not there yet.
 */
import * as path from 'path';
import { progress } from '../../lib';
import { logMel, LogMelOptions } from '../../lib/audio/logMel';
import { projectRoot } from '../../lib/core/projectRoot';
import { readManifest } from '../../lib/data/datasetFiles';
import { SpeechFeatureSpec } from '../../lib/data/speechCorpus';
import { parseCommandLine } from '../cliArgs';
import { PHONES_NOTE, flitePhones } from './flitePhones';
import { TRIM_NOTE, encodeFeatures, gzipJson, quantise, readTrimmed, writeSpeechFolder } from './speechCommon';
import { SPEECH_SEED, makeSingleExtraPlan } from './speechPlan';
import { TEXT_SOURCE } from './speechSentences';
import { SAMPLE_RATE, synthesizeWithProgress, wavPath } from './speechVoices';

/** The default folder of the corpus with `count` utterances. */
export function singleExtraDir(count: number): string {
  return path.join(projectRoot(), 'out', 'datasets', `speech-single-extra-${count}`);
}

/**
 * Synthesizes, featurises and writes the corpus into `dir` (its splits: `train` only; `val`,
 * `test` and `hard` empty). The mels use the shipped speech-single's options and quantisation, so
 * both corpora decode to the same grid. Returns the manifest's sha256 of its fields.
 */
export async function buildSingleExtra(count: number, dir: string): Promise<string> {
  const t0 = Date.now();
  const shipped = readManifest(path.join(projectRoot(), 'datasets', 'speech-single')) as unknown as {
    features: SpeechFeatureSpec;
  };
  const q = shipped.features.quantisation;
  const melOptions = shipped.features.options as unknown as LogMelOptions;
  const plan = makeSingleExtraPlan(count);
  await synthesizeWithProgress(plan, 'speech-single-extra: synthesize');

  const featBar = progress({ total: plan.length, label: 'speech-single-extra: features' });
  const clipped = { low: 0, high: 0 };
  const codes: Uint8Array[] = [];
  const train: object[] = [];
  let start = 0;
  let seconds = 0;
  plan.forEach((u, i) => {
    const samples = readTrimmed(wavPath(u.voice, u.text, u.perturbation), SAMPLE_RATE);
    const mel = logMel(samples, melOptions);
    codes.push(quantise(mel, q, clipped));
    const s = samples.length / SAMPLE_RATE;
    train.push({
      id: u.id,
      text: u.text,
      phones: flitePhones(u.text),
      start,
      frames: mel.rows,
      seconds: Number(s.toFixed(4)),
    });
    start += mel.rows;
    seconds += s;
    if ((i + 1) % 100 === 0 || i === plan.length - 1) featBar.update(i + 1);
  });
  featBar.done();

  const body = `
Training utterances only, for the Tacotron teacher's trainer (\`npm run train -- tacotron-teacher --extra ${count}\`):
${count} more sentences of 20–100 characters read by flite \`slt\`, the next ones of the training pool of the
sentence partition both speech corpora share (${TEXT_SOURCE}) after speech-single's own training sentences,
so none is in any speech-single split or in a val/test split of speech-speakers. ${TRIM_NOTE}

${PHONES_NOTE}

${plan.length} utterances, ${(seconds / 3600).toFixed(2)} h, ${start} frames. Mels and quantisation are
speech-single's (value = ${q.offset} + ${q.step.toPrecision(6)} · code); ${clipped.low} values below the floor,
${clipped.high} above the top. Not shipped: \`node dist/scripts/datasets/speechSingleExtra.js --count ${count}\`
remakes it byte for byte. Load with \`bp.data.loadSpeechSingle({ split: 'train', dir })\`.`;
  const manifest = writeSpeechFolder(
    'speech-single-extra',
    {
      description:
        `${plan.length} more flite slt training utterances in speech-single's format, ` +
        `for the Tacotron teacher's trainer; not shipped`,
      generator: 'scripts/datasets/speechSingleExtra.ts',
      seed: SPEECH_SEED,
      counts: { frames: start, train: plan.length, val: 0, test: 0, hard: 0 },
      features: { ...shipped.features, quantisation: { ...q, clipped } },
    },
    ['flite'],
    [
      {
        name: 'features.idx2-ubyte.gz',
        bytes: encodeFeatures(codes, shipped.features.dims),
        format: 'idx-gz',
        description: `uint8 [${start}, ${shipped.features.dims}] delta-coded log-mel codes of every utterance`,
      },
      {
        name: 'utterances.json.gz',
        bytes: gzipJson({ splits: { train, val: [], test: [], hard: [] } }),
        format: 'json-gz',
        description: 'the train split: id, text, phones, first frame, frames, seconds',
      },
    ],
    body,
    dir,
  );
  console.log(
    `speech-single-extra: ${plan.length} utterances, ${(seconds / 3600).toFixed(2)} h, ` +
      `${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return manifest.manifestSha256 ?? '';
}

if (require.main === module) {
  const { values } = parseCommandLine('datasets speech-single-extra', process.argv.slice(2), {
    count: { type: 'number', rule: 'positive-integer', default: 4000 },
    out: { type: 'string', expects: 'a folder' },
  });
  buildSingleExtra(values.count, values.out ?? singleExtraDir(values.count)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
