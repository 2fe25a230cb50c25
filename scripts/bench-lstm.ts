/**
 * `npm run bench` — LSTM forward + backward, N=64, T=50, D=128, H=256, on the active backend:
 *
 *   hand-written      lstmForward / lstmBackward (lib/layers/lstm.ts)
 *   autodiff default  tf.variableGrads over a plain-tf-ops LSTM, tfjs's own BatchMatMul gradient
 *   autodiff fast     the same, with useFastMatMulGradient() (explicit transposes)
 *   PyTorch nn.LSTM / PyTorch manual loop   (scripts/bench_torch.py, when python3 has torch)
 *
 * Every variant computes the gradients of ⟨h, dh⟩ with respect to x, h0, Wx, Wh and b.
 * After one warm-up round, repetitions run round-robin (one of each variant per round) so
 * machine noise hits all of them alike; the median per variant is reported.
 *
 * Options: --reps R (default 7), --warmup W (default 1), --no-torch, --help.
 */
import * as tf from '@tensorflow/tfjs';
import * as bp from '../lib';
import { parseCommandLine, UsageError } from './cliArgs';
import { startTorch } from './torchProcess';

const N = 64,
  T = 50,
  D = 128,
  H = 256;

type Inputs = { x: tf.Tensor3D; h0: tf.Tensor2D; Wx: tf.Tensor2D; Wh: tf.Tensor2D; b: tf.Tensor1D; dh: tf.Tensor3D };
type Variant = { name: string; run: () => Promise<number> };

const USAGE = `usage: bench-lstm [--reps R] [--warmup W] [--no-torch]
  --reps R     timed rounds (default 7)
  --warmup W   untimed warm-up rounds (default 1)
  --no-torch   skip the PyTorch variants`;

function makeInputs(seed: number): Inputs {
  const rng = new bp.Rng(seed);
  return {
    x: bp.randn([N, T, D], rng) as tf.Tensor3D,
    h0: bp.randn([N, H], rng) as tf.Tensor2D,
    Wx: bp.randn([D, 4 * H], rng, 1 / Math.sqrt(D)) as tf.Tensor2D,
    Wh: bp.randn([H, 4 * H], rng, 1 / Math.sqrt(H)) as tf.Tensor2D,
    b: tf.zeros([4 * H]) as tf.Tensor1D,
    dh: bp.randn([N, T, H], rng) as tf.Tensor3D,
  };
}

/** A plain-ops LSTM (gate order i, f, o, g) for autodiff: x·Wx batched over time, then T steps. */
function lstmPlainOps(x: tf.Tensor, h0: tf.Tensor, Wx: tf.Tensor, Wh: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const xw = tf.reshape(tf.matMul(tf.reshape(x, [N * T, D]), Wx), [N, T, 4 * H]);
  const steps = tf.unstack(xw, 1);
  let h = h0;
  let c = tf.zerosLike(h0);
  const hs: tf.Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const a = tf.add(tf.add(steps[t], tf.matMul(h, Wh)), b);
    const [ai, af, ao, ag] = tf.split(a, 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(af), c), tf.mul(tf.sigmoid(ai), tf.tanh(ag)));
    h = tf.mul(tf.sigmoid(ao), tf.tanh(c));
    hs.push(h);
  }
  return tf.stack(hs, 1);
}

async function readAndDispose(tensors: tf.Tensor[]): Promise<void> {
  await Promise.all(tensors.map((t) => t.data()));
  tf.dispose(tensors);
}

function tfjsVariants(inp: Inputs): { variants: Variant[]; agreement: () => string } {
  const vars = [inp.x, inp.h0, inp.Wx, inp.Wh, inp.b].map((t, i) => tf.variable(t, true, `bench_${i}`));
  const autodiffGrads = (): tf.Tensor[] => {
    const { value, grads } = tf.variableGrads(() => {
      const [x, h0, Wx, Wh, b] = vars;
      return tf.sum(tf.mul(lstmPlainOps(x, h0, Wx, Wh, b), inp.dh)) as tf.Scalar;
    }, vars);
    value.dispose();
    return vars.map((v) => grads[v.name]);
  };
  const autodiff = (fast: boolean): Variant => ({
    name: `tfjs autodiff, ${fast ? 'fast' : 'default'} matmul gradient`,
    run: async () => {
      if (fast) bp.kernels.useFastMatMulGradient();
      else bp.kernels.useDefaultMatMulGradient();
      const t0 = performance.now();
      await readAndDispose(autodiffGrads());
      return performance.now() - t0;
    },
  });
  const handGrads = (): tf.Tensor[] => {
    const { h, cache } = bp.lstmForward(inp.x, inp.h0, inp.Wx, inp.Wh, inp.b);
    const g = bp.lstmBackward(inp.dh, cache);
    tf.dispose([h, cache as unknown as tf.TensorContainer]);
    return [g.dx, g.dh0, g.dWx, g.dWh, g.db];
  };
  const handWritten: Variant = {
    name: 'hand-written lstmForward/lstmBackward',
    run: async () => {
      const t0 = performance.now();
      await readAndDispose(handGrads());
      return performance.now() - t0;
    },
  };
  const variants: Variant[] = [handWritten, autodiff(false), autodiff(true)];
  // The variants must compute the same gradients: compare each to autodiff once.
  const agreement = (): string => {
    const names = ['dx', 'dh0', 'dWx', 'dWh', 'db'];
    bp.kernels.useDefaultMatMulGradient();
    const ref = autodiffGrads();
    const report = (label: string, other: tf.Tensor[]): string =>
      `${label}: ${names
        .map(
          (n, i) =>
            `${n} ${tf
              .tidy(() => tf.div(tf.norm(tf.sub(other[i], ref[i])), tf.add(tf.norm(ref[i]), 1e-12)))
              .dataSync()[0]
              .toExponential(1)}`,
        )
        .join(', ')}`;
    bp.kernels.useFastMatMulGradient();
    const fast = autodiffGrads();
    const hand = handGrads();
    const lines = [
      report('check, relative error vs default autodiff — fast autodiff', fast),
      report('check, relative error vs default autodiff — hand-written', hand),
    ];
    tf.dispose([ref, fast, hand]);
    return lines.join('\n');
  };
  return { variants, agreement };
}

/** Starts scripts/bench_torch.py (PyTorch's LSTM on the same shapes), or says why not. */
async function torchVariants(): Promise<{ variants: Variant[]; info: string; close: () => void }> {
  const args = ['--N', `${N}`, '--T', `${T}`, '--D', `${D}`, '--H', `${H}`, '--threads', '1'];
  const torch = await startTorch('bench_torch.py', args);
  if (typeof torch === 'string') return { variants: [], info: torch, close: () => undefined };
  const ask =
    (name: string): Variant['run'] =>
    async () => {
      const r = await torch.ask(name);
      if (typeof r.ms !== 'number') throw new Error(`bench_torch.py: ${JSON.stringify(r)}`);
      return r.ms;
    };
  return {
    variants: [
      { name: 'PyTorch nn.LSTM', run: ask('nn_lstm') },
      { name: 'PyTorch manual loop (autograd)', run: ask('manual') },
    ],
    info: `PyTorch: ${torch.hello.torch} via ${torch.python}, CPU, ${torch.hello.threads} thread(s)`,
    close: torch.close,
  };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const opts = parseCommandLine('bench-lstm', process.argv.slice(2), {
    reps: { type: 'number', rule: 'positive-integer', default: 7 },
    warmup: { type: 'number', rule: 'non-negative-integer', default: 1 },
    'no-torch': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }).values;
  if (opts.help) return console.log(USAGE);
  const { reps, warmup } = opts;
  const report = await bp.initBackend();
  const restoreFast = bp.kernels.isFastMatMulGradient();
  const inp = makeInputs(0);
  const tfjs = tfjsVariants(inp);
  const torch = opts['no-torch'] ? null : await torchVariants();
  const variants = [...tfjs.variants, ...(torch?.variants ?? [])];
  console.log(`LSTM forward+backward, N=${N} T=${T} D=${D} H=${H}; tfjs backend: ${report.name} (${report.details})`);
  if (torch) console.log(torch.info);
  console.log(tfjs.agreement());

  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const bar = bp.progress({
    total: (warmup + reps) * variants.length,
    label: `bench: ${warmup} warm-up + ${reps} rounds of ${variants.length} variants`,
  });
  let run = 0;
  for (let round = 0; round < warmup + reps; round++) {
    for (const v of variants) {
      const ms = await v.run();
      if (round >= warmup) times.get(v.name)!.push(ms);
      bar.update(++run, { ms });
    }
  }
  bar.done();
  torch?.close();
  if (restoreFast) bp.kernels.useFastMatMulGradient();
  else bp.kernels.useDefaultMatMulGradient();

  const medianOf = (prefix: string): number | null => {
    const v = variants.find((w) => w.name.startsWith(prefix));
    return v ? median(times.get(v.name)!) : null;
  };
  const handMs = medianOf('hand-written')!;
  console.log(`\nmedian of ${reps} interleaved runs (ms; ratio = variant time / hand-written time):`);
  for (const v of variants) {
    const ms = times.get(v.name)!;
    console.log(
      `  ${v.name.padEnd(46)} ${median(ms).toFixed(1).padStart(9)} ms  ` +
        `(min ${Math.min(...ms).toFixed(1)})  ${(median(ms) / handMs).toFixed(2)}×`,
    );
  }
  const speedup = medianOf('tfjs autodiff, default')! / handMs;
  console.log(
    `\ntarget: hand-written ≥ 8× faster than default autodiff${report.name === 'wasm' ? '' : ' (stated for wasm)'}: ` +
      `${speedup.toFixed(2)}× — ${speedup >= 8 ? 'met' : 'NOT met'}`,
  );
  const torchMs = medianOf('PyTorch nn.LSTM');
  if (torchMs !== null) {
    const slower = handMs / torchMs;
    console.log(
      `target: hand-written ≤ 3× PyTorch nn.LSTM time: ${slower.toFixed(2)}× — ${slower <= 3 ? 'met' : 'NOT met'}`,
    );
  }
  tf.dispose(Object.values(inp));
}

main().catch((e) => {
  if (e instanceof UsageError) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
