/** WAV read/write: exact round trip of int16 values, quantisation and clipping, and every rejection. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';
import { readWav, WavFormatError, writeWav } from '../lib/audio/wav';

const wavBytes = (channels: number, bits: string, samples: number[] | number[][], rate = 8000): Buffer => {
  const w = new WaveFile();
  w.fromScratch(channels, rate, bits, samples);
  return Buffer.from(w.toBuffer());
};

describe('writeWav / readWav', () => {
  it('round-trip int16-valued samples exactly, with the sample rate, through bytes and a file', () => {
    const ints = [0, 1, -1, 32767, -32768, 1234, -20000];
    const x = Float32Array.from(ints, (s) => s / 32768);
    const bytes = writeWav(x, 22050);
    expect(bytes.length).toBe(44 + 2 * ints.length);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    const back = readWav(bytes);
    expect(back.sampleRate).toBe(22050);
    expect(Array.from(back.samples)).toEqual(Array.from(x));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wav-')), 'a.wav');
    fs.writeFileSync(file, bytes);
    expect(Array.from(readWav(file).samples)).toEqual(Array.from(x));
    fs.rmSync(path.dirname(file), { recursive: true });
  });
  it('quantise to the nearest int16 step and clip outside [−1, 1)', () => {
    const back = readWav(writeWav(Float32Array.from([0.3, -0.7, 1.5, -2, 1]), 16000)).samples;
    expect(Math.abs(back[0] - 0.3)).toBeLessThanOrEqual(2 ** -16);
    expect(Math.abs(back[1] + 0.7)).toBeLessThanOrEqual(2 ** -16);
    expect(Array.from(back.subarray(2))).toEqual([32767 / 32768, -1, 32767 / 32768]);
  });
  it('reads a file written by another encoder (wavefile) with the int16 / 32768 scaling', () => {
    expect(Array.from(readWav(wavBytes(1, '16', [16384, -8192])).samples)).toEqual([0.5, -0.25]);
  });
  it(
    'reject stereo, 8-bit, 32-bit float, truncated, ' +
      'non-WAV and missing input with a WavFormatError naming the problem',
    () => {
      expect(() =>
        readWav(
          wavBytes(2, '16', [
            [1, 2],
            [3, 4],
          ]),
        ),
      ).toThrow(/readWav: .*expected mono but the file has 2 channels/);
      expect(() => readWav(wavBytes(1, '8', [1, 2, 3]))).toThrow(/expected 16-bit samples but the file has 8-bit/);
      expect(() => readWav(wavBytes(1, '32f', [0.1, 0.2]))).toThrow(
        /expected PCM \(format 1\) but the file has format 3/,
      );
      const good = writeWav(new Float32Array(100), 8000);
      expect(() => readWav(good.subarray(0, 120))).toThrow(/truncated: the data chunk declares 200 bytes but holds 76/);
      expect(() => readWav(Buffer.from('not a wav file at all, just text'))).toThrow(WavFormatError);
      expect(() => readWav('/nonexistent/file.wav')).toThrow(/readWav: \/nonexistent\/file.wav: cannot read the file/);
    },
  );
  it('rejects a header whose sample rate is 0', () => {
    const bytes = Buffer.from(writeWav(Float32Array.from([0.1, 0.2]), 16000));
    bytes.writeUInt32LE(0, 24); // fmt chunk: sample rate
    bytes.writeUInt32LE(0, 28); // and byte rate
    expect(() => readWav(bytes)).toThrow(WavFormatError);
    expect(() => readWav(bytes)).toThrow('expected a positive sample rate but the header says 0');
  });
  it('writeWav rejects NaN samples and a bad sample rate', () => {
    expect(() => writeWav(Float32Array.from([0, NaN]), 8000)).toThrow(
      /writeWav: argument 'samples' has a non-finite sample NaN at index 1/,
    );
    expect(() => writeWav(new Float32Array(4), 0)).toThrow(/writeWav: argument 'sampleRate' expected an integer >= 1/);
  });
});
