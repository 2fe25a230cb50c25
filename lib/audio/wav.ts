/**
 * WAV files: 16-bit PCM, mono — the only format the corpora and notebooks use. Parsing and
 * writing the RIFF container is the `wavefile` package's job; this module fixes the format
 * and the sample scaling:
 *
 *   read:  x = s / 32768 ∈ [−1, 1)          (s the int16 sample, as soundfile/torchaudio)
 *   write: s = clamp(round(32768·x), −32768, 32767)
 *
 * so a signal of int16 values k/32768 round-trips exactly; anything else is quantised to the
 * nearest of those (error ≤ 2⁻¹⁶) and clipped outside [−1, 32767/32768].
 */
import * as fs from 'fs';
import { WaveFile } from 'wavefile';
import { checkArgs } from '../core/validate';
import { checkSignal } from './matrix';

/** A WAV file this library cannot read: not RIFF/WAVE, not PCM, not 16-bit, not mono, or truncated. */
export class WavFormatError extends Error {
  constructor(
    readonly source: string,
    problem: string,
  ) {
    super(`readWav: ${source}: ${problem}`);
    this.name = 'WavFormatError';
  }
}

export interface WavAudio {
  /** Mono samples in [−1, 1). */
  samples: Float32Array;
  /** Samples per second. */
  sampleRate: number;
}

interface WavFmt {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/** Reads a 16-bit PCM mono WAV from a file path or its bytes; throws {@link WavFormatError} otherwise. */
export function readWav(source: string | Uint8Array): WavAudio {
  checkArgs('readWav').require(
    typeof source === 'string' || source instanceof Uint8Array,
    `argument 'source' expected a file path or a Buffer but got ${typeof source}`,
  );
  const name = typeof source === 'string' ? source : `<${source.length}-byte buffer>`;
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? fs.readFileSync(source) : source;
  } catch (e) {
    throw new WavFormatError(name, `cannot read the file (${(e as Error).message})`);
  }
  const wav = new WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (e) {
    throw new WavFormatError(name, `not a WAV file (${(e as Error).message})`);
  }
  const fmt = wav.fmt as WavFmt;
  if (fmt.audioFormat !== 1)
    throw new WavFormatError(name, `expected PCM (format 1) but the file has format ${fmt.audioFormat}`);
  if (fmt.bitsPerSample !== 16)
    throw new WavFormatError(name, `expected 16-bit samples but the file has ${fmt.bitsPerSample}-bit`);
  if (fmt.numChannels !== 1)
    throw new WavFormatError(name, `expected mono but the file has ${fmt.numChannels} channels`);
  if (!Number.isInteger(fmt.sampleRate) || fmt.sampleRate <= 0)
    throw new WavFormatError(name, `expected a positive sample rate but the header says ${fmt.sampleRate}`);
  const data = (wav as unknown as { data: { chunkSize: number; samples: Uint8Array } }).data;
  if (data.samples.length !== data.chunkSize || data.chunkSize % 2 !== 0) {
    throw new WavFormatError(
      name,
      `truncated: the data chunk declares ${data.chunkSize} bytes but holds ${data.samples.length}`,
    );
  }
  const raw = data.samples;
  const n = raw.length / 2;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i++) samples[i] = view.getInt16(2 * i, true) / 32768;
  return { samples, sampleRate: fmt.sampleRate };
}

/** Encodes mono samples in [−1, 1] as a 16-bit PCM WAV file (the bytes; scaling in the module comment). */
export function writeWav(samples: Float32Array | Float64Array, sampleRate: number): Buffer {
  const x = checkSignal('writeWav', 'samples', samples, 0);
  checkArgs('writeWav').number('sampleRate', sampleRate, { integer: true, min: 1 });
  const pcm = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768)));
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, '16', pcm);
  return Buffer.from(wav.toBuffer());
}
