/**
 * One number per descriptor for a single note: the frame-level descriptors of this folder
 * summarised over the part of the note that sounds (frames within `heldSeconds` of the onset,
 * louder than 60 dB below the loudest frame):
 *
 *   loudnessDb    mean RMS level (dB FS) of those frames
 *   centroidHz    mean spectral centroid of those frames
 *   flatness      mean spectral flatness of those frames
 *   f0Hz          median YIN f0 of the voiced frames among them (0 when none is voiced)
 *   attackSeconds the envelope's rise from 10 % to 90 % of its peak
 *
 * Used to label the notes of datasets/fluid-notes and to measure decoded audio the same way.
 */
import { checkArgs } from '../core/validate';
import { attackTime } from './attack';
import { rmsDb } from './loudness';
import { checkSignal } from './matrix';
import { yinPitch } from './pitch';
import { spectralCentroid, spectralFlatness } from './spectralShape';
import { magnitude, stft } from './stft';

export interface NoteDescriptors {
  loudnessDb: number;
  centroidHz: number;
  flatness: number;
  f0Hz: number;
  attackSeconds: number;
}

const mean = (v: number[]): number => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0);

/**
 * @param signal a mono note starting at its onset
 * @param sampleRate Hz
 * @param opts `heldSeconds` (default: the whole signal), the f0 search range (default 30–2000 Hz)
 */
export function noteDescriptors(
  signal: Float32Array | Float64Array,
  sampleRate: number,
  opts: { heldSeconds?: number; fMin?: number; fMax?: number } = {},
): NoteDescriptors {
  const x = checkSignal('noteDescriptors', 'signal', signal, 2048);
  const held = opts.heldSeconds ?? x.length / sampleRate;
  checkArgs('noteDescriptors')
    .number('sampleRate', sampleRate, { min: 0, exclusiveMin: true })
    .number('opts.heldSeconds', held, { min: 0, exclusiveMin: true });
  const nFft = 1024,
    hop = 256;
  const levels = rmsDb(x, { frameLength: nFft, hop });
  const mag = magnitude(stft(x, { nFft, hop }));
  const centroid = spectralCentroid(mag, sampleRate),
    flat = spectralFlatness(mag);
  const peak = Math.max(...levels);
  const frames = Array.from(levels.keys()).filter((t) => (t * hop) / sampleRate <= held && levels[t] > peak - 60);
  const pitch = yinPitch(x, { sampleRate, fMin: opts.fMin ?? 30, fMax: opts.fMax ?? 2000, hop });
  const voiced = frames
    .filter((t) => t < pitch.f0.length && pitch.voiced[t])
    .map((t) => pitch.f0[t])
    .sort((a, b) => a - b);
  return {
    loudnessDb: mean(frames.map((t) => levels[t])),
    centroidHz: mean(frames.map((t) => centroid[t])),
    flatness: mean(frames.map((t) => flat[t])),
    f0Hz: voiced.length ? voiced[Math.floor(voiced.length / 2)] : 0,
    attackSeconds: attackTime(x, sampleRate).attack,
  };
}
