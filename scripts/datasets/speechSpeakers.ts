/**
 * Writes datasets/speech-speakers (issue 9): every distinct English voice of Debian's
 * synthesizers reading Jane Austen sentences, as 40-dim Kaldi-style log filterbank energies
 * (25 ms frames every 10 ms, `logFilterbankEnergies` of lib/audio), with transcripts, speaker
 * ids and engines. Which utterances exist is decided in ./speechPlan.ts; voices in ./speechVoices.ts.
 *
 *   npm run build && node dist/scripts/datasets/speechSpeakers.js
 */
import { progress } from '../../lib';
import { SpeechFeatureSpec } from '../../lib/data/speechCorpus';
import { logFilterbankEnergies } from '../../lib/audio/fbank';
import { AudioMatrix } from '../../lib/audio/matrix';
import { writeWav } from '../../lib/audio/wav';
import {
  SPEAKERS_FBANK_OPTIONS as FBANK_OPTIONS,
  TRIM_NOTE,
  chooseQuantisation,
  encodeFeatures,
  gzipJson,
  quantise,
  readTrimmed,
  writeSpeechFolder,
} from './speechCommon';
import {
  HELD_OUT_SPEAKERS,
  SPEAKER_COUNTS,
  SPEAKER_MAX_CHARS,
  SPEECH_SEED,
  SpeakerSplit,
  makePlan,
} from './speechPlan';
import { TEXT_SOURCE } from './speechSentences';
import { SAMPLE_RATE, VOICES, synthesizeWithProgress, wavPath } from './speechVoices';

const SPLITS: SpeakerSplit[] = ['train', 'val', 'test', 'test-speakers'];
/**
 * 64 levels (≈ 2 dB steps; rounding error ≤ 0.23 nats, small beside the ≈ 3-nat spread of a
 * filterbank channel) keep 27 speakers × ~160 utterances within the size budget.
 */
const LEVELS = 64;
/**
 * Stored values are floored at 0 (energy 1 on the int16 scale — about the level Kaldi's default
 * dither adds): below it lies mostly espeak-ng's digital silence, where the log hits its ε floor
 * (≈ −15.9); the README counts the floored values per engine.
 */
const FLOOR = 0;
/** Utterances shipped as WAV to listen to: the first test sentence of these speakers. */
const LISTEN = ['flite-awb', 'festival-ked', 'espeak-en-us+f2', 'espeak-en-gb+klatt3'];

async function main(): Promise<void> {
  const t0 = Date.now();
  const plan = makePlan();
  const all = SPLITS.flatMap((s) => plan.speakers[s]);

  await synthesizeWithProgress(all, 'speech-speakers: synthesize');

  const featBar = progress({ total: all.length, label: 'speech-speakers: features' });
  const feats: AudioMatrix[] = [];
  const seconds: number[] = [];
  const wavs: { name: string; bytes: Buffer; description: string }[] = [];
  all.forEach((u, i) => {
    const samples = readTrimmed(wavPath(u.voice, u.text, u.perturbation), SAMPLE_RATE);
    feats.push(logFilterbankEnergies(samples, SAMPLE_RATE, FBANK_OPTIONS));
    seconds.push(samples.length / SAMPLE_RATE);
    if (u.perturbation === '' && u.id.endsWith('-test-0000') && LISTEN.includes(u.voice.id)) {
      wavs.push({
        name: `${u.id}.wav`,
        bytes: writeWav(samples, SAMPLE_RATE),
        description: `16 kHz 16-bit mono: ${u.voice.id} reading "${u.text}"`,
      });
    }
    if ((i + 1) % 50 === 0 || i === all.length - 1) featBar.update(i + 1);
  });
  featBar.done();

  const q = chooseQuantisation(feats, LEVELS, FLOOR);
  const clipped = { low: 0, high: 0 };
  const floored: Record<string, number> = { flite: 0, festival: 0, 'espeak-ng': 0 };
  const codes = feats.map((f, i) => {
    const before = clipped.low;
    const c = quantise(f, q, clipped);
    floored[all[i].voice.engine] += clipped.low - before;
    return c;
  });
  const speakerIndex = new Map(VOICES.map((v, i) => [v.id, i]));
  let start = 0;
  let k = 0;
  const splits: Record<string, object[]> = {};
  for (const split of SPLITS) {
    splits[split] = plan.speakers[split].map((u) => {
      const rec = {
        id: u.id,
        text: u.text,
        speaker: speakerIndex.get(u.voice.id)!,
        perturbation: u.perturbation,
        start,
        frames: feats[k].rows,
        seconds: Number(seconds[k].toFixed(4)),
      };
      start += feats[k].rows;
      k++;
      return rec;
    });
  }
  const speakers = VOICES.map((v) => ({
    id: v.id,
    engine: v.engine,
    description: v.description,
    heldOut: HELD_OUT_SPEAKERS.includes(v.id),
  }));
  const hours = seconds.reduce((a, b) => a + b, 0) / 3600;
  const features: SpeechFeatureSpec = {
    kind: 'log-fbank',
    function: 'logFilterbankEnergies(samples, 16000, options) (lib/audio/fbank.ts)',
    options: FBANK_OPTIONS,
    dims: 40,
    sampleRate: SAMPLE_RATE,
    hop: 160,
    framesPerSecond: 100,
    quantisation: { ...q, clipped },
  };
  const counts: Record<string, number> = {
    speakers: VOICES.length,
    heldOutSpeakers: HELD_OUT_SPEAKERS.length,
    frames: start,
  };
  for (const split of SPLITS) counts[split] = splits[split].length;
  const engines = ['flite', 'festival', 'espeak-ng'];

  const body = `
Sentences: ${TEXT_SOURCE}, normalised by \`normaliseSpeechText\` \
(lower-case letters, space, apostrophe, \`, . ? !\`; numbers spelled out),
${plan.sentenceCount} distinct sentences in all; speech-speakers uses \
those of 20–${SPEAKER_MAX_CHARS} characters. One seeded partition of the
sentences into train / val / test is shared with speech-single, \
so no val/test sentence of either corpus is in a training split.

Speakers (${VOICES.length}: id — description):
${speakers.map((s) => `- \`${s.id}\` — ${s.description}${s.heldOut ? ' — *held out*' : ''}`).join('\n')}

Not used: flite \`kal\` (the kal16 speaker at 8 kHz), \
festival \`kal_diphone\` (again the kal speaker) and the \`us-slt\` HTS voice (again slt),
espeak-ng's mbrola voices (Debian ships no mbrola data here). \
\`espeak-ng -v en-gb+f3\` ignores the variant, so British variants use \`en+f3\`.

Splits (utterances): train ${counts.train} (${VOICES.length - HELD_OUT_SPEAKERS.length} \
seen speakers × ${SPEAKER_COUNTS.train} sentences drawn per speaker from the training
pool, plus ${SPEAKER_COUNTS.perturbed} sox-perturbed extra copies per \
speaker — \`speed 0.9|1.1\`, \`pitch ±300\` cents — labelled in \`perturbation\`),
val ${counts.val} (seen speakers × ${SPEAKER_COUNTS.val} val sentences), \
test ${counts.test} (seen speakers × ${SPEAKER_COUNTS.test} unseen test sentences),
test-speakers ${counts['test-speakers']} (the ${HELD_OUT_SPEAKERS.length} held-out \
speakers × ${SPEAKER_COUNTS.testSpeakers} sentences from the same test pool).
Each speaker draws its own sample of each pool, so the corpus covers many more sentences than one speaker reads.
Sizes: the per-speaker counts were chosen so that speech-single and speech-speakers together stay under 40 MB.

Audio: every engine's output is resampled by sox to 16 kHz mono 16-bit (\`sox -D\`: no dither). ${TRIM_NOTE}
Total ${hours.toFixed(2)} h of speech, ${start} frames.

Features: \`logFilterbankEnergies(samples, 16000, \
${JSON.stringify(FBANK_OPTIONS)})\` from lib/audio — Kaldi's \`compute-fbank-feats\`
recipe (25 ms Povey window every 10 ms, pre-emphasis 0.97, \
40 triangles on Kaldi's mel scale from 20 Hz to 8 kHz, natural log of
power, int16 sample scale). Quantised to uint8 codes: value = ${q.offset} + ${q.step.toPrecision(6)} · code \
(codes 0..${LEVELS - 1}: ${LEVELS} levels, steps of ${((q.step * 10) / Math.LN10).toFixed(2)} dB, chosen to fit the
size budget). ${clipped.low} of ${start * 40} values lay below the floor ${FLOOR} and are stored as \
${FLOOR} (flite ${floored.flite}, festival ${floored.festival}, espeak-ng ${floored['espeak-ng']}):
mostly espeak-ng's digital silence, where the log sits at its ε floor ≈ −15.9 (the floor is about the \
level Kaldi's default dither would add). Delta-coded along time in the file (see lib/data/speechCorpus.ts).

WAVs to listen to: ${wavs.map((w) => `\`${w.name}\``).join(', ')}.

Load with \`bp.data.loadSpeechSpeakers({ split, limit?, speakers?, \
perturbed? })\` → utterances { id, text, speaker, speakerIndex, engine,
perturbation, lfbe: [T, 40], seconds } and the speaker list; \
\`bp.data.loadSpeechWav('speech-speakers', name)\` for a WAV.`;

  writeSpeechFolder(
    'speech-speakers',
    {
      description:
        `${VOICES.length} synthetic English speakers (flite, festival, espeak-ng) ` +
        `reading Jane Austen sentences: 40-dim log filterbank energies at 10 ms with transcripts, ` +
        `speaker ids and engines; seen-speaker and held-out-speaker test splits on unseen sentences.`,
      generator: 'scripts/datasets/speechSpeakers.ts',
      seed: SPEECH_SEED,
      counts,
      features,
    },
    engines,
    [
      {
        name: 'features.idx2-ubyte.gz',
        bytes: encodeFeatures(codes, 40),
        format: 'idx-gz',
        description: `uint8 [${start}, 40] delta-coded log filterbank codes of every utterance (record order)`,
      },
      {
        name: 'utterances.json.gz',
        bytes: gzipJson({ speakers, splits }),
        format: 'json-gz',
        description: 'speakers; per split: id, text, speaker index, perturbation, first frame, frames, seconds',
      },
      ...wavs.map((w) => ({ ...w, format: 'wav' as const })),
    ],
    body,
  );
  console.log(
    `speech-speakers: ${all.length} utterances, ${hours.toFixed(2)} h, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
