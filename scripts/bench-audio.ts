/**
 * `node dist/scripts/bench-audio.js` — the measurements behind lib/audio's FFT choice and its
 * feature speed, on a 3 s, 16 kHz synthetic voiced signal:
 *
 *   FFT: one windowed 512-point real spectrum per 10 ms frame, by `fft.js` (lib/audio/fft.ts)
 *        vs `tf.spectral.rfft` on the wasm backend (reported: it has no complex kernels) and on
 *        the cpu backend (timed on a 0.3 s slice: it is that slow);
 *   features: logMel (nFft 1024, hop 256, 80 mels, Tacotron 2's setting) and
 *        logFilterbankEnergies (40 bins, 25 ms / 10 ms, Kaldi-style), per utterance and ×1,500.
 *
 * Repetitions run round-robin after a warm-up; min and median are reported (the machine is
 * shared, so the min is the cost and the median the cost under load). Options: --reps R (default 30), --help.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as bp from '../lib';
import { parseCommandLine, UsageError } from './cliArgs';

const SR = 16000;

const USAGE = 'usage: bench-audio [--reps R]   (R: round-robin repetitions, default 30)';

/** A gliding harmonic tone with a little noise: 3 s of voiced-speech-like signal. */
function utterance(n: number): Float32Array {
  const rng = new bp.Rng(1);
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * (110 + (60 * i) / n)) / SR;
    let v = 0;
    for (let h = 1; h <= 20; h++) v += Math.sin(h * phase) / h;
    x[i] = 0.2 * v + 0.002 * rng.normal();
  }
  return x;
}

/** Windowed frames [T, 512] every 160 samples (as logFilterbankEnergies' FFT input). */
function frames512(x: Float32Array): bp.audio.AudioMatrix {
  const f = bp.audio.frame(x, 512, 160);
  const w = bp.audio.hannWindow(512);
  for (let t = 0; t < f.rows; t++) for (let i = 0; i < 512; i++) f.data[t * 512 + i] *= w[i];
  return f;
}

function fftJs(f: bp.audio.AudioMatrix): void {
  const plan = bp.audio.realFft(512);
  const re = new Float32Array(f.rows * plan.bins);
  const im = new Float32Array(f.rows * plan.bins);
  const buf = new Float64Array(512);
  for (let t = 0; t < f.rows; t++) {
    for (let i = 0; i < 512; i++) buf[i] = f.data[t * 512 + i];
    plan.forward(buf, re, im, t * plan.bins);
  }
}

function tfRfft(f: bp.audio.AudioMatrix): void {
  const out = tf.tidy(() => {
    const s = tf.spectral.rfft(tf.tensor2d(f.data, [f.rows, f.cols]));
    return [tf.real(s), tf.imag(s)];
  });
  out.forEach((t) => t.dataSync());
  tf.dispose(out);
}

function timeRoundRobin(fns: Record<string, () => void>, reps: number): Record<string, number[]> {
  const times: Record<string, number[]> = {};
  for (const f of Object.values(fns)) f();
  for (let r = 0; r < reps; r++) {
    for (const [name, f] of Object.entries(fns)) {
      const t0 = performance.now();
      f();
      (times[name] ??= []).push(performance.now() - t0);
    }
  }
  for (const v of Object.values(times)) v.sort((a, b) => a - b);
  return times;
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(2)} ms`);

async function main(): Promise<void> {
  const { reps, help } = parseCommandLine('bench-audio', process.argv.slice(2), {
    reps: { type: 'number', rule: 'positive-integer', default: 30 },
    help: { type: 'boolean', short: 'h' },
  }).values;
  if (help) return console.log(USAGE);
  const x = utterance(3 * SR);
  const f = frames512(x);
  console.log(
    `bench-audio: 3 s at ${SR} Hz, ${f.rows} frames of 512; ${reps} round-robin repetitions (min / median)\n`,
  );

  await tf.setBackend('wasm');
  await tf.ready();
  try {
    tfRfft(f);
    console.log('tf.spectral.rfft on wasm: ran (unexpected; time it)');
  } catch (e) {
    console.log(`tf.spectral.rfft on wasm: unavailable — ${(e as Error).message}`);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  const slice = { data: f.data.subarray(0, 30 * 512), rows: 30, cols: 512 };
  const fft = timeRoundRobin(
    { 'fft.js': () => fftJs(f), 'tf.spectral.rfft (cpu), 30 frames': () => tfRfft(slice) },
    Math.min(reps, 3),
  );
  const perFrameJs = fft['fft.js'][0] / f.rows;
  const perFrameTf = fft['tf.spectral.rfft (cpu), 30 frames'][0] / 30;
  console.log(
    `fft.js                 ${fmt(fft['fft.js'][0])} per utterance (${(1000 * perFrameJs).toFixed(1)} µs per frame)`,
  );
  console.log(
    `tf.spectral.rfft (cpu) ${fmt(perFrameTf * f.rows)} per utterance, ` +
      `extrapolated from 30 frames (${(1000 * perFrameTf).toFixed(0)} µs per frame)`,
  );
  console.log(`ratio                  ${(perFrameTf / perFrameJs).toFixed(0)}× in favour of fft.js\n`);

  const feats = timeRoundRobin(
    {
      'logMel (1024/256, 80 mels)': () =>
        bp.audio.logMel(x, { sampleRate: SR, nFft: 1024, hop: 256, nMels: 80, fMax: 8000 }),
      'logFilterbankEnergies (40, 25/10 ms)': () => bp.audio.logFilterbankEnergies(x, SR),
    },
    reps,
  );
  for (const [name, v] of Object.entries(feats)) {
    const med = v[v.length >> 1];
    console.log(
      `${name.padEnd(38)} min ${fmt(v[0])}, median ${fmt(med)} per utterance; ` +
        `×1,500 utterances: ${fmt(1500 * v[0])} – ${fmt(1500 * med)}`,
    );
  }
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`bench-audio: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
