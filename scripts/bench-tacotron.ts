/**
 * `npm run bench -- tacotron` — one Tacotron 2 training step (forward + backward of a
 * teacher-forced batch of real speech-single utterances of median length, no optimiser update),
 * the teacher's sizes and input symbols, at batch 8, 16 and 32:
 *
 *   autodiff reference   lib/models/tacotron2/autodiffReference.ts: tf.variableGrads, the attention by hand
 *   hand-written         lib/models/tacotron2/backprop.ts: every gradient by hand
 *   PyTorch              scripts/bench_torch_tacotron.py, the same model and batch shapes, one thread
 *                        (when a python3 with torch is present)
 *
 * After a warm-up round, rounds run one of each variant in turn (machine noise hits all alike);
 * the table reports medians and ratios. Before timing, the hand-written gradients are compared
 * with autodiff's on the batch-8 batch.
 *
 * Options: --reps R (default 5), --warmup W (default 1), --batches 8,16,32, --no-torch,
 * --json FILE (also write the table as JSON: notebook 06 shows benchmarks/tacotron-step.json), --help.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import * as bp from '../lib';
import { tacotronAutodiffBackprop } from '../lib/models/tacotron2/autodiffReference';
import { tacotronBackprop } from '../lib/models/tacotron2/backprop';
import type { TacotronBenchRecord, TacotronBenchRow } from '../lib/models/tacotron2/benchRecord';
import { TacotronBatch, TextMel, disposeTacotronBatch, makeTacotronBatch } from '../lib/models/tacotron2/batch';
import { TACOTRON_CONFIG, Tacotron2, disposeTacotron2, initTacotron2 } from '../lib/models/tacotron2/config';
import { melNormOf, tacotronPairs } from '../lib/models/tacotron2/data';
import { parseCommandLine, UsageError } from './cliArgs';
import { startTorch } from './torchProcess';

const USAGE = `usage: npm run bench -- tacotron [--reps R] [--warmup W] [--batches 8,16,32] [--no-torch] [--json FILE]
  --reps R        timed rounds (default 5)
  --warmup W      untimed warm-up rounds (default 1)
  --batches LIST  batch sizes (default 8,16,32)
  --no-torch      skip the PyTorch variant
  --json FILE     also write the results as JSON (benchmarks/tacotron-step.json is what notebook 06 shows)`;

type Variant = { name: string; run: () => Promise<number>; close?: () => void };

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The `B` utterances of median length (sorted by frames, the middle B): a typical batch at any B. */
function medianBatch(pairs: TextMel[], B: number): TextMel[] {
  const sorted = [...pairs].sort((a, b) => a.mel.rows - b.mel.rows);
  const from = Math.max(0, Math.floor((sorted.length - B) / 2));
  return sorted.slice(from, from + B);
}

function stepOptions(model: Tacotron2) {
  return {
    rng: new bp.Rng(1),
    trainable: Object.keys(model.params),
    encoderTraining: true,
    guide: 1,
    l2: 1e-6,
    lambda: 0,
  };
}

function tfjsVariant(name: string, backprop: typeof tacotronBackprop, model: Tacotron2, batch: TacotronBatch): Variant {
  return {
    name,
    run: async () => {
      const t0 = performance.now();
      const { grads } = backprop(model, batch, { kind: 'teacher' }, stepOptions(model));
      await Promise.all(Object.values(grads).map((g) => g.data()));
      tf.dispose(Object.values(grads));
      return performance.now() - t0;
    },
  };
}

/** The largest relative error of a hand-written gradient against autodiff's, and its parameter. */
function agreement(model: Tacotron2, batch: TacotronBatch): string {
  const hand = tacotronBackprop(model, batch, { kind: 'teacher' }, stepOptions(model));
  const auto = tacotronAutodiffBackprop(model, batch, { kind: 'teacher' }, stepOptions(model));
  const worst = Object.keys(hand.grads)
    .map((n) => ({ n, e: bp.relError(hand.grads[n], auto.grads[n]) }))
    .reduce((a, b) => (b.e > a.e ? b : a));
  tf.dispose([...Object.values(hand.grads), ...Object.values(auto.grads)]);
  return `check: hand-written vs autodiff gradients, largest relative error ${worst.e.toExponential(1)} (${worst.n})`;
}

/** Starts the PyTorch twin on this batch's shapes (scripts/bench_torch_tacotron.py), or says why not. */
async function torchVariant(batch: TacotronBatch): Promise<Variant | string> {
  const shapeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tacotron-')), 'shape.json');
  fs.writeFileSync(
    shapeFile,
    JSON.stringify({
      config: TACOTRON_CONFIG,
      textLengths: batch.textLengths,
      frameLengths: batch.frameLengths,
      steps: batch.steps,
    }),
  );
  const torch = await startTorch('bench_torch_tacotron.py', ['--shape', shapeFile, '--threads', '1']);
  if (typeof torch === 'string') return torch;
  return {
    name: `PyTorch ${torch.hello.torch}, ${torch.hello.threads} thread`,
    run: async () => {
      const r = await torch.ask('step');
      if (typeof r.ms !== 'number') throw new Error(`bench_torch_tacotron.py: ${JSON.stringify(r)}`);
      return r.ms;
    },
    close: torch.close,
  };
}

async function main(): Promise<void> {
  const opts = parseCommandLine('bench-tacotron', process.argv.slice(2), {
    reps: { type: 'number', rule: 'positive-integer', default: 5 },
    warmup: { type: 'number', rule: 'non-negative-integer', default: 1 },
    batches: { type: 'string', default: '8,16,32' },
    'no-torch': { type: 'boolean' },
    json: { type: 'string', expects: 'a file path' },
    help: { type: 'boolean', short: 'h' },
  }).values;
  if (opts.help) return console.log(USAGE);
  const sizes = String(opts.batches).split(',').map(Number);
  if (!sizes.every((b) => Number.isInteger(b) && b > 0))
    throw new UsageError(`bench-tacotron: --batches expected positive integers but got ${opts.batches}`);
  const report = await bp.initBackend();
  const pairs = tacotronPairs('train');
  const model = initTacotron2(TACOTRON_CONFIG, 1, melNormOf(pairs));
  console.log(
    `Tacotron 2 training step (forward + backward, teacher forcing, no update), ` +
      `${bp.tacotron.parameterCount(model)} parameters; tfjs backend: ${report.name} (${report.details})`,
  );
  const rows: string[] = [];
  const results: TacotronBenchRow[] = [];
  let torchName: string | null = null;
  for (const B of sizes) {
    const batch = makeTacotronBatch(medianBatch(pairs, B), model);
    const shape =
      `batch ${B}: the ${B} training utterances around the median length, ` +
      `${batch.ids.shape[1]} input symbols (${model.config.symbols}), ` +
      `${batch.steps} decoder steps × r = ${model.config.r}`;
    console.log(`\n${shape}`);
    if (B === sizes[0]) console.log(agreement(model, batch));
    const torch = opts['no-torch'] ? 'PyTorch: skipped (--no-torch)' : await torchVariant(batch);
    if (typeof torch === 'string') console.log(torch);
    const variants: Variant[] = [
      tfjsVariant('autodiff reference', tacotronAutodiffBackprop, model, batch),
      tfjsVariant('hand-written', tacotronBackprop, model, batch),
      ...(typeof torch === 'string' ? [] : [torch]),
    ];
    const times = new Map(variants.map((v) => [v.name, [] as number[]]));
    const bar = bp.progress({ total: (opts.warmup + opts.reps) * variants.length, label: `bench batch ${B}` });
    let done = 0;
    for (let round = 0; round < opts.warmup + opts.reps; round++)
      for (const v of variants) {
        const ms = await v.run();
        if (round >= opts.warmup) times.get(v.name)!.push(ms);
        bar.update(++done, { ms });
      }
    bar.done();
    variants.forEach((v) => v.close?.());
    const [reference, hand, pytorch] = variants.map((v) => median(times.get(v.name)!));
    if (typeof torch !== 'string') torchName = torch.name;
    results.push({
      batch: B,
      decoderSteps: batch.steps,
      autodiffMs: reference,
      handMs: hand,
      pytorchMs: pytorch ?? null,
    });
    for (const v of variants)
      console.log(
        `  ${v.name.padEnd(28)} ${median(times.get(v.name)!).toFixed(0).padStart(7)} ms (median of ${opts.reps})`,
      );
    rows.push(
      `| ${B} | ${reference.toFixed(0)} | ${hand.toFixed(0)} | ${pytorch === undefined ? '—' : pytorch.toFixed(0)} | ` +
        `${(reference / hand).toFixed(2)}× | ${pytorch === undefined ? '—' : `${(hand / pytorch).toFixed(2)}×`} |`,
    );
    disposeTacotronBatch(batch);
  }
  console.log(
    '\n| batch | autodiff reference (ms) | hand-written (ms) | PyTorch 1 thread (ms) | ' +
      'hand-written speed-up | hand-written / PyTorch |',
  );
  console.log('|---|---|---|---|---|---|');
  rows.forEach((r) => console.log(r));
  console.log('targets (issue 20): speed-up ≥ 3× at batch 8; hand-written within 3× of PyTorch');
  if (opts.json) {
    const record: TacotronBenchRecord = {
      command: `npm run bench -- tacotron ${process.argv.slice(2).join(' ')}`.trim(),
      date: new Date().toISOString(),
      machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`,
      tfjs: `${report.name} (${report.details})`,
      pytorch: torchName,
      reps: opts.reps,
      parameters: bp.tacotron.parameterCount(model),
      rows: results,
    };
    fs.mkdirSync(path.dirname(path.resolve(String(opts.json))), { recursive: true });
    fs.writeFileSync(String(opts.json), `${JSON.stringify(record, null, 2)}\n`);
    console.log(`wrote ${opts.json}`);
  }
  disposeTacotron2(model);
}

main().catch((e) => {
  if (e instanceof UsageError) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
