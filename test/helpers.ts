/**
 * Shared test machinery for the gradient checks. The float64 machinery (F64, numericVjp,
 * autodiffVjp, the reference ops) lives in ./ref/numerics.ts, shared with the coursework grader,
 * and is re-exported here.
 *
 * - `relError`: the library's normwise relative error, accepting F64 arrays too.
 * - `expectNoLeak`: runs a function and checks tf.memory().numTensors grew only by what it returned.
 * - `copyDataset`: a temporary copy of a shipped dataset folder, to damage in loader tests;
 *   `replaceListed`: swap one of its files and re-sign its manifest, so only the format check can catch it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, expect, it } from 'vitest';
import { Rng, tf, relError as libRelError } from '../lib';
import type { SpeechUtterance } from '../lib/models/listener/training';
import type { Tacotron2Config } from '../lib/models/tacotron2/config';
import { audioMatrix } from '../lib/audio/matrix';
import { datasetDir, readManifest, sha256 } from '../lib/data/datasetFiles';
import { signManifest } from '../lib/data/manifestSignature';
import { autodiffVjp, collectTensors, F64, numericVjp, toTensor } from '../coursework/reference/numerics';

export * from '../coursework/reference/numerics';

/** The library's normwise relative error (tested on hand-computed values), also accepting F64 arrays. */
export function relError(a: ArrayLike<number> | F64 | tf.Tensor, b: ArrayLike<number> | F64 | tf.Tensor): number {
  return libRelError(values(a), values(b));
}

function values(a: ArrayLike<number> | F64 | tf.Tensor): ArrayLike<number> | tf.Tensor {
  if (a instanceof tf.Tensor) {
    expect(a.isDisposed, 'relError: tensor was disposed').toBe(false);
    return a;
  }
  return 'data' in a && 'shape' in a ? (a as F64).data : (a as ArrayLike<number>);
}

/**
 * Runs `fn` and asserts that it leaves exactly as many new tensors as the ones it returns
 * (found by walking the returned value). Disposes the returned tensors afterwards.
 */
export function expectNoLeak<T>(fn: () => T, label = 'call'): void {
  const before = tf.memory().numTensors;
  const result = fn();
  const returned = collectTensors(result);
  expect(tf.memory().numTensors - before, `${label}: tensors left beyond the ${returned.length} returned`).toBe(
    returned.length,
  );
  tf.dispose(returned);
}

/**
 * Checks each named gradient of a hand-written backward against tfjs autodiff of the same
 * forward (normwise relative error ≤ 1e-5) and against a float64 centred difference of an
 * independent reference forward (≤ 1e-4). `inputs[i]` is the F64 behind `names[i]`; the
 * reference forward must read the inputs' `.data` afresh.
 */
export function expectGradsMatch(
  grads: Record<string, tf.Tensor>,
  names: string[],
  inputs: F64[],
  tfForward: (...xs: tf.Tensor[]) => tf.Tensor,
  refForward: () => F64 | number,
  dout: F64 | null,
): void {
  const tensors = inputs.map((a) => toTensor(a));
  const doutT = dout ? toTensor(dout) : null;
  const auto = autodiffVjp(tfForward, tensors, doutT);
  names.forEach((name, i) => {
    expect(relError(grads[name], auto[i]), `${name} vs autodiff`).toBeLessThan(1e-5);
    expect(relError(grads[name], numericVjp(refForward, inputs[i], dout)), `${name} vs float64 numeric`).toBeLessThan(
      1e-4,
    );
  });
  tf.dispose([...tensors, ...auto, ...(doutT ? [doutT] : [])]);
}

/**
 * CI sets `BACKPROP_REQUIRE_ALL=1` (.ci/run): then a test that would skip because a tool is
 * missing (Chromium, Jupyter) fails instead, naming what is missing and how to install it.
 */
export function requireAllTools(): boolean {
  return process.env.BACKPROP_REQUIRE_ALL === '1';
}

/** A test that fails under BACKPROP_REQUIRE_ALL=1 when `present` is false (otherwise nothing). */
export function failIfMissingUnderCi(present: boolean, what: string): void {
  it.runIf(requireAllTools() && !present)(`${what} is present (required by BACKPROP_REQUIRE_ALL=1)`, () => {
    throw new Error(`${what} is missing, and BACKPROP_REQUIRE_ALL=1 forbids skipping the tests that need it`);
  });
}

const datasetCopies: string[] = [];
afterAll(() => datasetCopies.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A temp copy of the shipped dataset folder `name` (removed after the test file's tests). */
export function copyDataset(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  datasetCopies.push(dir);
  for (const f of fs.readdirSync(datasetDir(name))) fs.copyFileSync(path.join(datasetDir(name), f), path.join(dir, f));
  return dir;
}

/** Rewrites a file of a copied folder, its manifest entry and the manifest's signature. */
export function replaceListed(dir: string, name: string, bytes: Buffer): void {
  fs.writeFileSync(path.join(dir, name), bytes);
  const manifest = readManifest(dir);
  Object.assign(
    manifest.files.find((f) => f.name === name)!,
    { bytes: bytes.length, sha256: sha256(bytes) },
  );
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(signManifest(manifest)));
}

/** A toy task: label k is "spoken" as a few frames of a one-hot-ish pattern in dimension k − 1. */
export function toyCtcUtterances(count: number, seed: number): SpeechUtterance[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const labels = Array.from({ length: 1 + rng.int(3) }, () => 1 + rng.int(3));
    const rows: number[][] = [];
    for (const k of labels) {
      for (let r = 0; r < 4; r++) rows.push([0, 1, 2].map((d) => (d === k - 1 ? 2 : 0) + 0.3 * rng.normal()));
      for (let r = 0; r < 2; r++) rows.push([0, 1, 2].map(() => 0.3 * rng.normal()));
    }
    return { features: Float32Array.from(rows.flat()), frames: rows.length, labels };
  });
}

/** A Tacotron 2 small enough for gradient tests: every part present, widths 3–8, characters in, r = 2. */
export const TINY_TACOTRON: Tacotron2Config = {
  symbols: 'characters',
  vocabSize: 33,
  embedDim: 8,
  encoderConvLayers: 3,
  encoderKernel: 3,
  encoderLstm: 4,
  encoderDropout: 0.2,
  prenetDim: 8,
  prenetDropout: 0.5,
  attentionLstm: 8,
  decoderLstm: 8,
  attentionDim: 6,
  locationFilters: 3,
  locationKernel: 3,
  melDims: 5,
  r: 2,
  postnetChannels: 4,
  postnetKernel: 3,
  postnetLayers: 5,
};

/** Four short texts with random log-mels (3 frames per character + 1, 5 mel channels): a toy Tacotron corpus. */
export function toyTextMels(seed: number): { text: string; mel: ReturnType<typeof audioMatrix> }[] {
  const rng = new Rng(seed);
  return ['a cat.', 'the dog sat', 'hi', 'no, yes!'].map((text) => {
    const T = 3 * text.length + 1;
    return {
      text,
      mel: audioMatrix(
        Float32Array.from({ length: T * 5 }, () => -5 + 2 * rng.normal()),
        T,
        5,
      ),
    };
  });
}
