/**
 * Writes datasets/speech-single (issue 9): flite's `slt` voice (US English female, unit
 * selection from the CMU ARCTIC recordings, 16 kHz — the closest voice here to LJSpeech)
 * reading Jane Austen sentences, as 80-bin log-mel spectrograms (`logMel` of lib/audio,
 * Tacotron 2's convention), plus the out-of-domain hard set and a few WAVs to listen to.
 * Which sentences: ./speechPlan.ts.
 *
 *   npm run build && node dist/scripts/datasets/speechSingle.js
 */
import { progress } from '../../lib';
import { SpeechFeatureSpec } from '../../lib/data/speechCorpus';
import { logMel } from '../../lib/audio/logMel';
import { AudioMatrix } from '../../lib/audio/matrix';
import { writeWav } from '../../lib/audio/wav';
import {
  TRIM_NOTE,
  chooseQuantisation,
  encodeFeatures,
  gzipJson,
  quantise,
  readTrimmed,
  writeSpeechFolder,
} from './speechCommon';
import { HARD_LONG, SINGLE_SIZES, SPEECH_SEED, SingleSplit, makePlan } from './speechPlan';
import { PHONES_NOTE, flitePhones } from './flitePhones';
import { MAX_CHARS, MIN_CHARS, TEXT_SOURCE } from './speechSentences';
import { SAMPLE_RATE, synthesizeWithProgress, wavPath } from './speechVoices';

const SPLITS: SingleSplit[] = ['train', 'val', 'test', 'hard'];
/** 128 levels over ln 1e-5 … max: ≈ 0.5 dB steps. */
const LEVELS = 128;
/**
 * Tacotron 2's mel convention at 16 kHz: 64 ms Hann frames (1024 samples) every 16 ms (256),
 * 80 Slaney-scale, Slaney-normalised mels from 0 to 8 kHz over the magnitude spectrum,
 * ln with a floor of 1e-5; frames centred (zero padding of nFft/2 at each end).
 */
const MEL_OPTIONS = {
  sampleRate: SAMPLE_RATE,
  nFft: 1024,
  win: 1024,
  hop: 256,
  nMels: 80,
  fMin: 0,
  fMax: 8000,
  scale: 'slaney',
  norm: 'slaney',
  power: 1,
  floor: 1e-5,
} as const;
/** WAVs shipped to listen to: the first few test sentences and the first of each hard category. */
const LISTEN_TEST = 4;

async function main(): Promise<void> {
  const t0 = Date.now();
  const plan = makePlan();
  const all = SPLITS.flatMap((s) => plan.single[s]);

  await synthesizeWithProgress(all, 'speech-single: synthesize');

  const featBar = progress({ total: all.length, label: 'speech-single: features' });
  const tFeatures = Date.now();
  const feats: AudioMatrix[] = [];
  const seconds: number[] = [];
  const wavNames: (string | undefined)[] = [];
  const wavs: { name: string; bytes: Buffer; description: string }[] = [];
  const firstOfCategory = new Set<string>();
  all.forEach((u, i) => {
    const samples = readTrimmed(wavPath(u.voice, u.text, u.perturbation), SAMPLE_RATE);
    feats.push(logMel(samples, { ...MEL_OPTIONS }));
    seconds.push(samples.length / SAMPLE_RATE);
    const category = 'category' in u ? u.category : undefined;
    const listen =
      (u.id.startsWith('single-test-') && Number(u.id.slice(-4)) < LISTEN_TEST) ||
      (category !== undefined && !firstOfCategory.has(category));
    if (category !== undefined) firstOfCategory.add(category);
    wavNames.push(listen ? `${u.id}.wav` : undefined);
    if (listen)
      wavs.push({
        name: `${u.id}.wav`,
        bytes: writeWav(samples, SAMPLE_RATE),
        description: `16 kHz 16-bit mono: "${u.text}"`,
      });
    if ((i + 1) % 50 === 0 || i === all.length - 1) featBar.update(i + 1);
  });
  featBar.done();
  const featureSeconds = (Date.now() - tFeatures) / 1000;

  const q = chooseQuantisation(feats, LEVELS, Math.log(MEL_OPTIONS.floor));
  const clipped = { low: 0, high: 0 };
  const codes = feats.map((f) => quantise(f, q, clipped));
  let start = 0;
  let k = 0;
  const splits: Record<string, object[]> = {};
  for (const split of SPLITS) {
    splits[split] = plan.single[split].map((u) => {
      const rec = {
        id: u.id,
        text: u.text,
        phones: flitePhones(u.text),
        ...(u.category ? { category: u.category } : {}),
        start,
        frames: feats[k].rows,
        seconds: Number(seconds[k].toFixed(4)),
        ...(wavNames[k] ? { wav: wavNames[k] } : {}),
      };
      start += feats[k].rows;
      k++;
      return rec;
    });
  }
  const hours = seconds.reduce((a, b) => a + b, 0) / 3600;
  const features: SpeechFeatureSpec = {
    kind: 'log-mel',
    function: 'logMel(samples, options) (lib/audio/logMel.ts)',
    options: { ...MEL_OPTIONS },
    dims: 80,
    sampleRate: SAMPLE_RATE,
    hop: MEL_OPTIONS.hop,
    framesPerSecond: SAMPLE_RATE / MEL_OPTIONS.hop,
    quantisation: { ...q, clipped },
  };
  const counts: Record<string, number> = { frames: start };
  for (const split of SPLITS) counts[split] = splits[split].length;
  const hard = plan.single.hard;
  const byCategory = (c: string) => hard.filter((h) => h.category === c);
  const longMean = byCategory('long').reduce((s, h) => s + h.text.length, 0) / HARD_LONG.count;

  const body = `
Voice: flite \`slt\` (Debian package flite): US English female, \
unit selection from the CMU ARCTIC recordings of a real speaker, 16 kHz.

Sentences: ${TEXT_SOURCE}, normalised by \`normaliseSpeechText\` \
(lower-case letters, space, apostrophe, \`, . ? !\`; numbers spelled
out). In-domain splits: train ${SINGLE_SIZES.train}, val ${SINGLE_SIZES.val}, \
test ${SINGLE_SIZES.test} sentences of ${MIN_CHARS}–${MAX_CHARS} characters from one seeded
partition of the novels' sentences shared with speech-speakers \
(no val/test sentence of either corpus is in a training split).

Hard set (out of domain; after FastSpeech's hard cases as used by the Tacotron teacher–student paper; none in training):
${byCategory('letter').length} single letters; ${byCategory('spelling').length} \
words spelled letter by letter ("${byCategory('spelling')[0].text}");
${byCategory('repeated-number').length} numbers repeated 4–12 times \
("${byCategory('repeated-number')[0].text}"); ${HARD_LONG.count} long sentences
of ${MAX_CHARS + 1}+ characters (mean ${longMean.toFixed(1)}) from the novels — longer than any training sentence.

${PHONES_NOTE}

Audio: ${TRIM_NOTE} Total ${hours.toFixed(2)} h of speech, ${start} frames.

Features: \`logMel(samples, ${JSON.stringify(MEL_OPTIONS)})\` from lib/audio: \
ln(max(mel, 1e-5)) of the magnitude STFT, 1024-sample
Hann frames every 256 samples (16 ms, ${SAMPLE_RATE / MEL_OPTIONS.hop} frames/s), \
centred with zero padding, 80 Slaney mels (Slaney area norm) 0–8 kHz —
Tacotron 2's convention at 16 kHz. Quantised to uint8 codes: value = ${q.offset} + \
${q.step.toPrecision(6)} · code (codes 0..${LEVELS - 1}: ${LEVELS} levels, steps of
${((q.step * 10) / Math.LN10).toFixed(2)} dB from the log floor ln 1e-5 to the \
corpus maximum). Delta-coded along time in the file (see lib/data/speechCorpus.ts).

WAVs to listen to (trimmed 16 kHz audio of the utterance of the same id): \
${wavs.map((w) => `\`${w.name}\``).join(', ')}.

Load with \`bp.data.loadSpeechSingle({ split, limit?, category? })\` → utterances { id, \
text, phones, mel: [T, 80], seconds, category?, wav? };
\`bp.data.loadSpeechWav('speech-single', name)\` for a WAV.`;

  writeSpeechFolder(
    'speech-single',
    {
      description:
        'One voice (flite slt, US English female) reading Jane Austen sentences: ' +
        '80-bin log-mel spectrograms with transcripts; train/val/test in-domain splits and an ' +
        'out-of-domain hard set (letters, spellings, repeated numbers, long sentences).',
      generator: 'scripts/datasets/speechSingle.ts',
      seed: SPEECH_SEED,
      counts,
      features,
    },
    ['flite'],
    [
      {
        name: 'features.idx2-ubyte.gz',
        bytes: encodeFeatures(codes, 80),
        format: 'idx-gz',
        description: `uint8 [${start}, 80] delta-coded log-mel codes of every utterance (record order)`,
      },
      {
        name: 'utterances.json.gz',
        bytes: gzipJson({ splits }),
        format: 'json-gz',
        description: 'per split: id, text, phones, category (hard), first frame, frames, seconds, wav file if shipped',
      },
      ...wavs.map((w) => ({ ...w, format: 'wav' as const })),
    ],
    body,
  );
  console.log(
    `speech-single: ${all.length} utterances, ${hours.toFixed(2)} h; ` +
      `features ${featureSeconds.toFixed(1)} s, all ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
