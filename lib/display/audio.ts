/**
 * Listening in a notebook: one display bundle per clip with
 *
 * - `audio/wav`: the 16-bit PCM WAV, base64 (the headless runner writes each one to
 *   `out/audio/<notebook>/clip-<k>.wav`; the HTML book renders this MIME type);
 * - `text/html`: an `<audio controls>` element whose source is the same WAV as a data: URI —
 *   plays offline in Jupyter (classic, Lab, Notebook 7), VS Code and exported pages;
 * - `text/plain`: "Audio 'title' — 2.31 s at 16000 Hz, peak 0.82".
 */
import { checkArgs } from '../core/validate';
import { checkSignal } from '../audio/matrix';
import { writeWav } from '../audio/wav';
import { escapeHtml } from './figurePage';
import { MimeBundle, sendDisplay } from './kernel';

export const AUDIO_MIME = 'audio/wav';

export interface AudioDisplayOptions {
  /** Shown above the player and in the text summary. */
  title?: string;
  /** Scale to a peak of 0.9 first (e.g. Griffin-Lim output, which is not bounded by 1); default false. */
  normalize?: boolean;
}

/** "Audio 'title' — 2.31 s at 16000 Hz, peak 0.82": what a text-only front end shows (and the runner's label). */
export function audioSummary(samples: ArrayLike<number>, sampleRate: number, title?: string): string {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  return (
    `Audio${title ? ` '${title}'` : ''} — ${(samples.length / sampleRate).toFixed(2)} s ` +
    `at ${sampleRate} Hz, peak ${peak.toFixed(2)}`
  );
}

/** The display bundle of a clip (see the module comment); samples beyond [−1, 1] are clipped unless `normalize`. */
export function audioBundle(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  opts: AudioDisplayOptions = {},
): MimeBundle {
  const x0 = checkSignal('showAudio', 'samples', samples);
  checkArgs('showAudio')
    .number('sampleRate', sampleRate, { integer: true, min: 1 })
    .require(
      opts.title === undefined || typeof opts.title === 'string',
      `argument 'title' expected a string but got ${typeof opts.title}`,
    );
  let x: Float32Array | Float64Array = x0;
  if (opts.normalize) {
    let peak = 0;
    for (let i = 0; i < x0.length; i++) peak = Math.max(peak, Math.abs(x0[i]));
    x = peak > 0 ? Float32Array.from(x0, (v) => (0.9 * v) / peak) : x0;
  }
  const base64 = writeWav(x, sampleRate).toString('base64');
  const caption = opts.title
    ? `<figcaption style="font-size:0.9em;margin-bottom:0.2em">${escapeHtml(opts.title)}</figcaption>`
    : '';
  return {
    [AUDIO_MIME]: base64,
    'text/html':
      `<figure style="margin:0.4em 0">${caption}<audio controls ` +
      `src="data:audio/wav;base64,${base64}"></audio></figure>`,
    'text/plain': audioSummary(x, sampleRate, opts.title),
  };
}

/** Shows an audio player for mono samples in [−1, 1] (outside a kernel, prints the text summary). */
export function showAudio(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  opts: AudioDisplayOptions = {},
): void {
  const bundle = audioBundle(samples, sampleRate, opts);
  if (!sendDisplay(bundle)) console.log(bundle['text/plain']);
}
