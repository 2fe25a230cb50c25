/**
 * `npm run bench -- listener [--reps R] [--batch B]` — what splitting a batch over threads buys
 * the listener's training step (lib/train/gradientShards.ts): the loss and gradients of one batch
 * of B speech-speakers training utterances of the median length, in the shipped listener's
 * configuration, on 1 thread and on 2 (this thread and one worker). Rounds alternate the two
 * variants after a warm-up; medians and their ratio are printed (the machine is shared: read the
 * ratio, and run it when nothing else trains). Not timed: the Adam update (the same on both).
 */
import * as bp from '../lib';
import { tf } from '../lib';
import { loadListener } from '../lib/models/listener/checkpoint';
import { recognizerLossAndGrads, SpeechUtterance } from '../lib/models/listener/training';
import { GradientShards } from '../lib/train/gradientShards';
import { parseCommandLine, UsageError } from './cliArgs';

const USAGE = 'usage: bench-listener [--reps R] [--batch B]   (rounds, default 7; utterances per batch, default 32)';

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const { values } = parseCommandLine('bench listener', process.argv.slice(2), {
    reps: { type: 'number', rule: 'positive-integer', default: 7 },
    batch: { type: 'number', rule: 'positive-integer', default: 32 },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return console.log(USAGE);
  await bp.initBackend();
  const listener = loadListener();
  const config = listener.manifest.config;
  const utts: SpeechUtterance[] = bp.data
    .loadSpeechSpeakers({ split: 'train' })
    .utterances.map((u) => {
      const f = bp.listener.featuresFromLfbe(u.lfbe);
      return { features: f.data, frames: f.rows, labels: bp.data.textToIds(u.text, 'characters') };
    })
    .sort((a, b) => a.frames - b.frames);
  const mid = Math.floor(utts.length / 2) - Math.floor(values.batch / 2);
  const batch = utts.slice(mid, mid + values.batch);
  const shards = new GradientShards('listener.shardGradients', { config }, 2);
  const time = (threads: 1 | 2): number => {
    const t = performance.now();
    const r = recognizerLossAndGrads(listener.params, config, batch, threads === 2 ? shards : undefined);
    tf.dispose(Object.values(r.grads));
    return performance.now() - t;
  };
  try {
    time(1);
    time(2);
    const ms: Record<1 | 2, number[]> = { 1: [], 2: [] };
    for (let r = 0; r < values.reps; r++) for (const threads of [1, 2] as const) ms[threads].push(time(threads));
    const [one, two] = [median(ms[1]), median(ms[2])];
    console.log(
      `listener step (loss + gradients), batch ${values.batch} of ${batch[0].frames}–${batch.at(-1)!.frames} ` +
        `frames, ${values.reps} rounds:\n  1 thread  ${one.toFixed(0)} ms (median)\n  2 threads ` +
        `${two.toFixed(0)} ms (median)\n  speed-up  ${(one / two).toFixed(2)}×`,
    );
  } finally {
    shards.close();
    tf.dispose(Object.values(listener.params));
  }
}

main().catch((e) => {
  console.error(e instanceof UsageError ? `${e.message}\n${USAGE}` : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
