/**
 * Writes datasets/multimodal-emotion (issue 11): a tri-modal emotion corpus playing the roles of
 * VoxCeleb2 (`pretrain`: transcripts and speaker ids, emotions present but unlabelled) and CMU-MOSEI
 * (`train`/`dev`/`test`: six Likert emotion labels). What is said and how each modality carries it:
 * ./multimodalPlan.ts; faces: ./faceRaster.ts; the frozen face encoder: ./faceCnn.ts.
 *
 *   npm run build && node dist/scripts/datasets/multimodalEmotion.js
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng, initBackend, progress } from '../../lib';
import { ManifestFile, gzipIdx, writeDataset } from '../../lib/data/datasetFiles';
import { SpeechFeatureSpec } from '../../lib/data/speechCorpus';
import { AudioMatrix } from '../../lib/audio/matrix';
import { writeWav } from '../../lib/audio/wav';
import { REPO_ROOT } from './common';
import { EMBEDDING_DIM } from './faceCnn';
import { FACE_SIZE, FaceLook, randomLook } from './faceRaster';
import {
  EMOTIONS,
  FALSE_CUE,
  LEXICON,
  MODALITIES,
  Modality,
  PRIOR,
  Q,
  drawCues,
  drawLabels,
  prosodyEffects,
  sentence,
} from './multimodalPlan';
import { filesSection, readmeHead } from './readme';
import {
  STACK,
  PlannedUtterance,
  corpusFaceEncoder,
  multimodalStreamFiles,
  renderUtterance,
  synthesizeMultimodal,
} from './multimodalRender';
import { SPEAKERS_FBANK_OPTIONS as FBANK_OPTIONS, chooseQuantisation, quantise } from './speechCommon';
import { SAMPLE_RATE, VOICES, Voice } from './speechVoices';

const SEED = 1108;
const NAME = 'multimodal-emotion';
const SPLITS = { pretrain: 1500, train: 420, dev: 140, test: 140 } as const;
type Split = keyof typeof SPLITS;
const LEVELS = 64;
/** flite and espeak-ng voices of speech-speakers (festival's one voice needs a batch process: left out). */
const SPEAKERS: Voice[] = VOICES.filter((v) => v.engine !== 'festival');
/** Test utterances shipped as WAV + raw face frames for the data tour. */
const TOUR = 4;

interface Utterance extends PlannedUtterance {
  split: Split;
}

function plan(rng: Rng): Utterance[] {
  const out: Utterance[] = [];
  for (const split of Object.keys(SPLITS) as Split[]) {
    for (let i = 0; i < SPLITS[split]; i++) {
      const labels = drawLabels(rng);
      const cues = Object.fromEntries(MODALITIES.map((m) => [m, drawCues(labels, m, rng)])) as Record<
        Modality,
        number[]
      >;
      const text = sentence(cues.text, rng);
      out.push({
        id: `${split}-${String(i).padStart(4, '0')}`,
        split,
        labels,
        cues,
        text,
        speaker: rng.int(SPEAKERS.length),
        effects: prosodyEffects(cues.audio, rng),
      });
    }
  }
  return out;
}

/**
 * Share of utterances with emotion k present whose modality m expresses it, and share with k absent that falsely do.
 */
function cueTable(utts: Utterance[]): string[] {
  const rows = [
    '| modality | ' + EMOTIONS.join(' | ') + ' | false cues (absent emotion shown) |',
    '|---|' + EMOTIONS.map(() => '---|').join('') + '---|',
  ];
  for (const m of MODALITIES) {
    const hit = EMOTIONS.map((_, k) => {
      const present = utts.filter((u) => u.labels[k] > 0);
      return present.filter((u) => u.cues[m][k] > 0).length / Math.max(1, present.length);
    });
    const absent = utts.flatMap((u) => u.labels.map((I, k) => ({ I, c: u.cues[m][k] }))).filter((x) => x.I === 0);
    rows.push(
      `| ${m} | ${hit.map((h) => h.toFixed(2)).join(' | ')} | ` +
        `${(absent.filter((x) => x.c > 0).length / absent.length).toFixed(3)} |`,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  await initBackend({ quiet: true });
  const rng = new Rng(SEED);
  const utts = plan(rng);
  const looks: FaceLook[] = SPEAKERS.map(() => randomLook(rng));
  await synthesizeMultimodal(utts, SPEAKERS, `${NAME}: synthesize`);

  const encoder = corpusFaceEncoder(SEED);

  const bar = progress({ total: utts.length, label: `${NAME}: features and faces` });
  const feats: AudioMatrix[] = [];
  const visual: Uint8Array[] = [];
  const seconds: number[] = [];
  const tour: { name: string; bytes: Buffer; format: ManifestFile['format']; description: string }[] = [];
  const tourFrames: Uint8Array[] = [];
  const tourRecords: { id: string; first: number; frames: number; wav: string }[] = [];
  const frameRng = new Rng(SEED + 1);
  utts.forEach((u, i) => {
    const r = renderUtterance(u, SPEAKERS, looks[u.speaker], encoder, frameRng);
    const { samples, frames, faces: faceFrames } = r;
    feats.push(r.feats);
    seconds.push(samples.length / SAMPLE_RATE);
    visual.push(r.visual);
    if (u.split === 'test' && tourRecords.length < TOUR) {
      const wav = `${u.id}.wav`;
      tour.push({
        name: wav,
        bytes: writeWav(samples, SAMPLE_RATE),
        format: 'wav',
        description: `16 kHz 16-bit mono: ${SPEAKERS[u.speaker].id} reading "${u.text}"`,
      });
      tourRecords.push({
        id: u.id,
        first: tourFrames.reduce((s, x) => s + x.length / (FACE_SIZE * FACE_SIZE * 3), 0),
        frames,
        wav,
      });
      tourFrames.push(faceFrames);
    }
    if ((i + 1) % 50 === 0 || i === utts.length - 1) bar.update(i + 1);
  });
  bar.done();

  const q = chooseQuantisation(feats, LEVELS, 0);
  const clipped = { low: 0, high: 0 };
  const codes = feats.map((f) => quantise(f, q, clipped));
  const splits: Record<string, object[]> = {};
  let start = 0,
    visualStart = 0;
  utts.forEach((u, i) => {
    const rec = {
      id: u.id,
      text: u.text,
      speaker: u.speaker,
      start,
      frames: feats[i].rows,
      seconds: Number(seconds[i].toFixed(4)),
      visualStart,
      visualFrames: feats[i].rows / STACK,
      // VoxCeleb2's role: the pre-training split carries no emotion labels
      // (its cues stay in the generator's statistics)
      ...(u.split === 'pretrain' ? {} : { labels: u.labels, cues: u.cues }),
    };
    start += feats[i].rows;
    visualStart += feats[i].rows / STACK;
    (splits[u.split] ??= []).push(rec);
  });
  const tourAll = new Uint8Array(tourFrames.reduce((s, x) => s + x.length, 0));
  let at = 0;
  for (const v of tourFrames) (tourAll.set(v, at), (at += v.length));
  const tourCount = tourAll.length / (FACE_SIZE * FACE_SIZE * 3);

  const labelled = utts.filter((u) => u.split !== 'pretrain');
  const prevalence = EMOTIONS.map((_, k) => labelled.filter((u) => u.labels[k] > 0).length / labelled.length);
  const cueRows = cueTable(utts);
  console.log(['how often each modality shows a present emotion (all splits):', ...cueRows].join('\n'));
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
  const counts: Record<string, number> = { speakers: SPEAKERS.length, frames: start, videoFrames: visualStart };
  for (const s of Object.keys(SPLITS)) counts[s] = splits[s].length;
  const speakers = SPEAKERS.map((v, i) => ({ id: v.id, engine: v.engine, description: v.description, look: looks[i] }));

  const body = `
A tri-modal (audio, face, text) emotion corpus made for notebook 08 \
(Khare et al., multi-task pre-training of a cross-modal
transformer). \`pretrain\` plays VoxCeleb2 (${SPLITS.pretrain} utterances \
with transcripts and speaker ids; the speakers' emotions are
present in voice, face and words but **not labelled**); \`train\`/\`dev\`/\`test\` \
play CMU-MOSEI (${SPLITS.train}/${SPLITS.dev}/${SPLITS.test} utterances
with six emotion labels, Likert intensity 0–3 each, several at once; binarise at > 0).

**Generative story** (scripts/datasets/multimodalPlan.ts, seed ${SEED}). Emotion k is present with prior
${EMOTIONS.map((e, k) => `${e} ${PRIOR[k]}`).join(', ')} \
(disgust also with probability 0.45 when anger is present), intensity 1/2/3 with
probability 0.5/0.35/0.15. Each modality then *expresses* a present emotion with its own probability and adds false cues
(an absent emotion shown, intensity 1–2) with probability \
${MODALITIES.map((m) => `${m} ${FALSE_CUE[m]}`).join(', ')} per emotion:

| expression probability | ${EMOTIONS.join(' | ')} |
|---|${EMOTIONS.map(() => '---|').join('')}
${MODALITIES.map((m) => `| ${m} | ${Q[m].join(' | ')} |`).join('\n')}

Measured on the generated corpus (all splits; share of present emotions shown, share of absent emotions falsely shown):

${cueRows.join('\n')}

So text carries the most (and its cues are words, easy to read), \
the face next, audio least: its cues are prosody on top of
${SPEAKERS.length} voices that already differ in pitch, rate and quality, \
and a per-utterance pitch (σ 80 cents) and tempo (σ 4 %) jitter.
Labelled-split prevalence: ${EMOTIONS.map((e, k) => `${e} ${prevalence[k].toFixed(2)}`).join(', ')}.

**Text**: templates and a lexicon written for the project (five words per emotion: \
${EMOTIONS.map((e) => `${e}: ${LEXICON[e].join('/')}`).join('; ')}),
the (up to) two strongest text cues as words with an intensity adverb \
(slightly / — / very), neutral templates when text shows none; ≤ 8 words.

**Audio**: ${SPEAKERS.length} voices of speech-speakers (flite ${SPEAKERS.filter((v) => v.engine === 'flite').length}, \
espeak-ng ${SPEAKERS.filter((v) => v.engine === 'espeak-ng').length}; festival left out)
read the sentence; sox adds the audio cues as prosody: pitch, \
tempo, overdrive (harsh voice quality: anger, disgust), tremolo 7 Hz
(tremor: fear) and gain (loudness) — formulas in \`prosodyEffects\`. 16 kHz, silence trimmed as in speech-speakers, then
\`logFilterbankEnergies(samples, 16000, ${JSON.stringify(FBANK_OPTIONS)})\`: \
40-dim LFBE every 10 ms, cut to a multiple of ${STACK} frames
(stack 5 → 200-dim frames at 20 per second in the loader). \
Stored as uint8 codes, value = ${q.offset} + ${q.step.toPrecision(6)} · code
(${LEVELS} levels; ${clipped.low} values below 0 floored), \
delta-coded along time (lib/data/speechCorpus.ts layout). Loudness is **not** normalised:
gain is one of the cues.

**Visual**: one ${FACE_SIZE}×${FACE_SIZE} RGB face per stacked \
audio frame (20 frames/s), drawn by a hand-written rasteriser
(scripts/datasets/faceRaster.ts): the speaker fixes face shape, \
skin and hair colour; the visual cues fix brows, eyes, mouth corners,
a one-sided lip raise and jaw drop (plus N(0, 0.15²) noise per parameter, \
building up over the first 200 ms); the mouth opens with the
RMS loudness of each 50 ms of the audio (lip sync). Each frame is embedded by a \
small CNN trained for the purpose on ${encoder.faces} random
faces of random looks to regress the face parameters (${encoder.steps} steps, held-out MSE \
${encoder.heldOutMse.before.toFixed(3)} → ${encoder.heldOutMse.after.toFixed(3)}), then frozen —
its ${EMBEDDING_DIM}-dim tanh layer is shipped as uint8 (value = code / 127.5 − 1). \
Raw frames are kept for the ${TOUR} tour utterances only.

Load with \`bp.data.loadMultimodalEmotion({ split, limit? })\`.`;

  const dir = path.join(REPO_ROOT, 'datasets', NAME);
  fs.rmSync(dir, { recursive: true, force: true });
  const manifest = writeDataset(
    dir,
    {
      name: NAME,
      description:
        `Tri-modal synthetic emotion corpus: ${SPEAKERS.length} synthetic voices with emotional prosody ` +
        `(40-dim LFBE at 10 ms), rendered lip-synced faces (frozen-CNN embeddings), sentences from an emotion ` +
        `lexicon; six Likert emotion labels; a pre-training split with transcripts and speaker ids only.`,
      generator: 'scripts/datasets/multimodalEmotion.ts',
      seed: SEED,
      source:
        'Text and templates written for backprop-lab; speech by flite and ' +
        'espeak-ng (Debian), processed by sox; faces rendered by the generator',
      licence: 'MIT (backprop-lab) for the text, faces and features; synthesizer notices in LICENSE',
      counts,
      features,
    } as Parameters<typeof writeDataset>[1],
    [
      ...multimodalStreamFiles(
        codes,
        visual,
        { emotions: EMOTIONS, speakers, splits, tour: tourRecords },
        'emotions, speakers (with their face look); per split: id, text, speaker, ' +
          'frame ranges, seconds, labels and cues (labelled splits); tour frames',
      ),
      {
        name: 'faces.idx4-ubyte.gz',
        bytes: gzipIdx({ data: tourAll, shape: [tourCount, FACE_SIZE, FACE_SIZE, 3] }),
        format: 'idx-gz',
        description: `uint8 [${tourCount}, ${FACE_SIZE}, ${FACE_SIZE}, 3] raw face frames of the tour utterances`,
      },
      ...tour,
    ],
  );
  const copyrights = [
    ['flite', '/usr/share/doc/flite/copyright'],
    ['espeak-ng', '/usr/share/doc/espeak-ng-data/copyright'],
  ];
  fs.writeFileSync(
    path.join(dir, 'LICENSE'),
    [
      'Text (templates, lexicon), faces and all derived files in this folder: ' +
        'written and generated for backprop-lab, MIT licence (see the',
      "repository's licence). Speech: synthesized by the programs below; " +
        "their output is not covered by the programs' own licences, except",
      "where a voice database states terms (flite's CMU ARCTIC voices: " +
        'free use and redistribution with the notices kept, reproduced below).',
      '',
      ...copyrights.flatMap(([n, f]) => ['='.repeat(78), `${n}: ${f}`, '='.repeat(78), fs.readFileSync(f, 'utf8')]),
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, 'README.md'),
    [
      ...readmeHead(NAME, manifest.description, body),
      ...filesSection(
        manifest,
        "`manifest.json` lists each file's size and sha256; " +
          "the loader checks them and every file's format before using a byte.",
      ),
      '## How it was made',
      '',
      `\`npm run datasets\` (or \`npm run build && node dist/scripts/datasets/multimodalEmotion.js\`), ` +
        `seed ${SEED}; needs Debian's \`flite\`, \`espeak-ng\` and \`sox\`.`,
      'WAVs are cached in `$SPEECH_WAV_CACHE/multimodal` and never committed. ' +
        'The synthesizers, sox (no dither) and the renderer are deterministic;',
      'the face CNN trains on the tfjs backend in use (single-threaded wasm here), ' +
        'so its embeddings may differ in the last bits on another backend.',
      '',
      '## Licence',
      '',
      'MIT for what backprop-lab wrote and generated; synthesizer and voice notices in LICENSE.',
      '',
    ].join('\n'),
  );
  console.log(
    `wrote ${dir}: ${(manifest.files.reduce((s, f) => s + f.bytes, 0) / 1e6).toFixed(2)} MB, ` +
      `${utts.length} utterances, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
