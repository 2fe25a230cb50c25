/**
 * The English voices of Debian's synthesizers and how the speech corpora make them speak:
 * every utterance becomes a 16 kHz mono 16-bit WAV in a cache folder (not committed; keyed by
 * voice, perturbation and text, so a second build reuses it), with at most `jobs` synthesizer
 * processes at a time.
 *
 * - flite (package `flite`): awb (Scottish male), rms (US male) and slt (US female), unit
 *   selection voices built from the CMU ARCTIC recordings of real speakers, and kal16 (US
 *   male diphone voice), all at 16 kHz. `kal` is the same speaker as kal16 at 8 kHz: skipped.
 * - festival (packages `festival`, `festvox-kdlpc16k`): ked_diphone (US male, 16 kHz).
 *   Festival's kal_diphone is again the kal speaker and the us-slt HTS voice again slt: skipped.
 * - espeak-ng (package `espeak-ng`): the 8 English accents (formant synthesis) with their
 *   default voice, and accent + voice-variant pairs (`-v en-us+f2`: the variant changes
 *   pitch, formants and voice quality). espeak-ng writes 22.05 kHz; sox resamples to 16 kHz.
 *   The mbrola English voices need mbrola data, which Debian does not ship here: skipped.
 * - sox (package `sox`) perturbations (speed, pitch) are extra, labelled variation of a
 *   speaker, never a speaker of their own. Dither is off (`-D`) so output is deterministic.
 */
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { progress } from '../../lib';

export type SpeechEngine = 'flite' | 'festival' | 'espeak-ng';

/** One synthetic speaker. */
export interface Voice {
  /** Speaker id, e.g. `flite-slt`, `espeak-en-us+f2`. */
  id: string;
  engine: SpeechEngine;
  /** The synthesizer's own voice name (`slt`, `ked_diphone`, `en-us+f2`). */
  name: string;
  description: string;
}

const flite = (name: string, description: string): Voice => ({
  id: `flite-${name}`,
  engine: 'flite',
  name,
  description,
});
/**
 * `-v en-gb+f3` silently ignores the variant; the British voice file is `en`, so variants go on `en`
 * (id still says en-gb).
 */
export const espeakVoice = (name: string, description: string): Voice => ({
  id: `espeak-${name.replace(/^en\+/, 'en-gb+')}`,
  engine: 'espeak-ng',
  name,
  description,
});

/** Every speaker of `speech-speakers`, in id order of the manifest. */
export const VOICES: Voice[] = [
  flite('awb', 'flite CMU ARCTIC awb: Scottish English male (unit selection from real recordings)'),
  flite('kal16', 'flite kal16: US English male (diphone)'),
  flite('rms', 'flite CMU ARCTIC rms: US English male (unit selection from real recordings)'),
  flite('slt', 'flite CMU ARCTIC slt: US English female (unit selection from real recordings)'),
  {
    id: 'festival-ked',
    engine: 'festival',
    name: 'ked_diphone',
    description: 'festival ked_diphone: US English male (LPC diphone)',
  },
  espeakVoice('en-us', 'espeak-ng American English, default male'),
  espeakVoice('en-gb', 'espeak-ng British English, default male'),
  espeakVoice('en-gb-scotland', 'espeak-ng Scottish English, default male'),
  espeakVoice('en-gb-x-gbclan', 'espeak-ng Lancaster English, default male'),
  espeakVoice('en-gb-x-rp', 'espeak-ng Received Pronunciation, default male'),
  espeakVoice('en-gb-x-gbcwmd', 'espeak-ng West Midlands English, default male'),
  espeakVoice('en-029', 'espeak-ng Caribbean English, default male'),
  espeakVoice('en-us-nyc', 'espeak-ng New York City English, default male'),
  espeakVoice('en-us+f2', 'espeak-ng American English, variant female2'),
  espeakVoice('en+f3', 'espeak-ng British English, variant female3'),
  espeakVoice('en-gb-x-rp+f4', 'espeak-ng Received Pronunciation, variant female4'),
  espeakVoice('en-us-nyc+f5', 'espeak-ng New York City English, variant female5'),
  espeakVoice('en-029+f1', 'espeak-ng Caribbean English, variant female1'),
  espeakVoice('en-gb-scotland+Alicia', 'espeak-ng Scottish English, variant Alicia (female)'),
  espeakVoice('en-us+m3', 'espeak-ng American English, variant male3'),
  espeakVoice('en+m4', 'espeak-ng British English, variant male4'),
  espeakVoice('en-gb-x-gbclan+m7', 'espeak-ng Lancaster English, variant male7'),
  espeakVoice('en-us+klatt', 'espeak-ng American English, Klatt synthesizer variant'),
  espeakVoice('en+klatt3', 'espeak-ng British English, Klatt synthesizer variant klatt3'),
  espeakVoice('en-us+Andy', 'espeak-ng American English, variant Andy (male)'),
  espeakVoice('en-gb-x-gbcwmd+grandma', 'espeak-ng West Midlands English, variant grandma (older female)'),
  espeakVoice('en-us+grandpa', 'espeak-ng American English, variant grandpa (older male)'),
];

/** A sox effect applied after synthesis, labelled on the utterance (e.g. `speed 1.1`). */
export type Perturbation = '' | 'speed 0.9' | 'speed 1.1' | 'pitch -300' | 'pitch 300';

export const SAMPLE_RATE = 16000;

/** The cache folder for synthesized WAVs (SPEECH_WAV_CACHE, default in the OS temp folder). */
export const WAV_CACHE = process.env.SPEECH_WAV_CACHE ?? path.join(os.tmpdir(), 'backprop-lab-speech-wavs');

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 24 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message} ${stderr}`));
      else resolve();
    });
  });
}

/** Makes `out` (16 kHz mono 16-bit, dither off) from `input`, applying `perturbation`. */
function soxTo16k(input: string, out: string, perturbation: Perturbation): Promise<void> {
  const effects = perturbation === '' ? [] : perturbation.split(' ');
  return run('sox', ['-D', input, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', out, ...effects]);
}

/** Synthesizes `text` with `voice` into the WAV file `out` (native rate); flite and espeak-ng only. */
function synthesizeRaw(voice: Voice, text: string, out: string): Promise<void> {
  if (voice.engine === 'flite') return run('flite', ['-voice', voice.name, '-t', text, '-o', out]);
  return run('espeak-ng', ['-v', voice.name, '-w', out, text]);
}

/**
 * Festival loads its lexicon and voice for seconds on every start, so a festival voice speaks
 * a batch of texts in one process (a Scheme script of `utt.synth` + `utt.save.wave` calls).
 * Each text is one festival utterance (`text2wave` would instead cut a text at internal
 * sentence breaks such as "oh! single" and join the pieces). Normalised text holds no `"` or
 * `\`, so it goes into Scheme strings as it is.
 */
function synthesizeFestivalBatch(voice: Voice, items: { text: string; out: string }[], script: string): Promise<void> {
  const lines = [
    `(voice_${voice.name})`,
    ...items.map((it) => `(utt.save.wave (utt.synth (Utterance Text "${it.text}")) "${it.out}" 'riff)`),
  ];
  fs.writeFileSync(script, lines.join('\n') + '\n');
  return run('festival', ['-b', script]);
}

/** The cache path of one utterance. */
export function wavPath(voice: Voice, text: string, perturbation: Perturbation = ''): string {
  const key = crypto
    .createHash('sha1')
    .update(`${voice.engine}\n${voice.name}\n${perturbation}\n${text}`)
    .digest('hex');
  return path.join(WAV_CACHE, voice.id, `${key}.wav`);
}

/** One utterance to synthesize. */
export interface SpeechRequest {
  voice: Voice;
  text: string;
  perturbation: Perturbation;
}

const FESTIVAL_BATCH = 25;

/**
 * Synthesizes every request not yet in the cache ({@link wavPath}) with at most `jobs`
 * synthesizer processes at once (festival requests in batches of 25 per process); calls
 * `onProgress(done, total)` as requests finish. Returns the number synthesized.
 */
export async function synthesizeAll(
  requests: SpeechRequest[],
  jobs: number,
  onProgress: (done: number, total: number) => void,
): Promise<number> {
  const seen = new Set<string>();
  const todo = requests.filter((r) => {
    const out = wavPath(r.voice, r.text, r.perturbation);
    if (seen.has(out) || fs.existsSync(out)) return false;
    seen.add(out);
    return true;
  });
  const festival = todo.filter((r) => r.voice.engine === 'festival');
  const tasks: SpeechRequest[][] = todo.filter((r) => r.voice.engine !== 'festival').map((r) => [r]);
  for (let i = 0; i < festival.length; i += FESTIVAL_BATCH) tasks.push(festival.slice(i, i + FESTIVAL_BATCH));
  let done = 0;
  await runPool(
    tasks.length,
    jobs,
    async (t) => {
      const batch = tasks[t].map((r) => {
        const out = wavPath(r.voice, r.text, r.perturbation);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        return { ...r, out, raw: `${out}.raw-${process.pid}.wav`, tmp: `${out}.tmp-${process.pid}.wav` };
      });
      if (batch[0].voice.engine === 'festival') {
        await synthesizeFestivalBatch(
          batch[0].voice,
          batch.map((b) => ({ text: b.text, out: b.raw })),
          `${batch[0].out}.scm`,
        );
        fs.unlinkSync(`${batch[0].out}.scm`);
      } else {
        await synthesizeRaw(batch[0].voice, batch[0].text, batch[0].raw);
      }
      for (const b of batch) {
        await soxTo16k(b.raw, b.tmp, b.perturbation);
        fs.unlinkSync(b.raw);
        fs.renameSync(b.tmp, b.out);
      }
      done += batch.length;
    },
    () => onProgress(done, todo.length),
  );
  return todo.length;
}

/** Runs `work(i)` for i in 0..n-1 with at most `jobs` at once; calls `onDone(finished)` after each. */
async function runPool(
  n: number,
  jobs: number,
  work: (i: number) => Promise<void>,
  onDone: (finished: number) => void,
): Promise<void> {
  let next = 0;
  let finished = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await work(i);
      onDone(++finished);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, n) }, worker));
}

/** Synthesizer processes at a time (SPEECH_JOBS, default 2). */
export const JOBS = Number(process.env.SPEECH_JOBS ?? 2);

/**
 * {@link synthesizeAll} with `jobs` = JOBS and a terminal progress bar labelled `label`; the bar's
 * last line says how many were synthesized and how many came from the cache.
 */
export async function synthesizeWithProgress(requests: SpeechRequest[], label: string): Promise<void> {
  const n = requests.length;
  const bar = progress({ total: n, label });
  const made = await synthesizeAll(requests, JOBS, (done, total) =>
    bar.update(Math.min(n, Math.max(1, n - total + done))),
  );
  bar.done(`${made} synthesized, ${n - made} from the cache`);
}
