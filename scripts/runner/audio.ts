/**
 * Every audio clip of an executed notebook (each `audio/wav` output, see lib/display/audio.ts)
 * written out as `clip-<k>.wav`, in notebook order, for `out/index.html` to link and play.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AUDIO_MIME } from '../../lib/display/audio';
import { joinText, displayBundles, Notebook } from './nbformat';

export interface AudioFiles {
  k: number;
  /** The clip's text/plain summary ("Audio 'title' — 2.31 s at 16000 Hz, peak 0.82"). */
  label: string;
  wav: string;
}

/** Writes the clips of `nb` into `dir` (emptied first; not created when there are none). */
export function exportAudio(nb: Notebook, stem: string, dir: string): AudioFiles[] {
  fs.rmSync(dir, { recursive: true, force: true });
  const bundles = displayBundles(nb).filter(({ output }) => output.data[AUDIO_MIME] !== undefined);
  if (bundles.length === 0) return [];
  fs.mkdirSync(dir, { recursive: true });
  return bundles.map(({ output }, i) => {
    const k = i + 1;
    const wav = path.join(dir, `clip-${k}.wav`);
    fs.writeFileSync(wav, Buffer.from(joinText(output.data[AUDIO_MIME] as string | string[]), 'base64'));
    const text = output.data['text/plain'];
    return { k, label: text === undefined ? `${stem} — clip ${k}` : joinText(text as string | string[]), wav };
  });
}
