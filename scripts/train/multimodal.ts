/**
 * `npm run train -- multimodal-<tasks>`: multi-task pre-training of notebook 08's cross-modal
 * transformer (VoxCeleb2's role) on multimodal-pretrain-N (`--corpus N`, default 6,000: emotion-
 * neutral sentences, neutral prosody and faces, 48 voices none of which speaks the labelled
 * splits; built into out/datasets on first use by scripts/datasets/multimodalPretrain.ts), or with
 * `--corpus 0` on the shipped multimodal-emotion's `pretrain` split (26 voices of the labelled
 * splits, emotion words and cues present but unlabelled), with
 *
 *   multimodal-asr-speaker   λ_ASR = 0.8, λ_speaker = 0.2 (the paper's weights)
 *   multimodal-asr           character ASR alone
 *   multimodal-speaker       speaker identification alone
 *
 * and joint weights 0.4 audio / 0.4 visual / 0.2 text (lib/models/multimodal/pretraining.ts).
 * The last HELD_OUT utterances of the split are held out for greedy-decoding CER and speaker
 * accuracy. Writes checkpoints/<name>/{weights.bin, manifest.json (sha256, config, vocab, audio
 * statistics, loss curves, held-out scores), training-log.txt}.
 *
 * Options: --steps N (default 1200), --seed S (default 1), --corpus N, --quick (6 steps on a few
 * utterances of the shipped split, written to out/checkpoints/<name>-quick unless --out is given),
 * --out DIR, --minutes M, --resume, --state DIR, --help. The run's state is saved every few minutes in --state
 * (default out/train-state/<name>); `--resume` continues it exactly, and `touch <state>.STOP`
 * stops it cleanly. The checkpoint is written when every planned step is done.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib';
import { loadMultimodalEmotion } from '../../lib/data/multimodalEmotion';
import { readManifest } from '../../lib/data/datasetFiles';
import { buildMultimodalPretrain, multimodalPretrainDir } from '../datasets/multimodalPretrain';
import { multimodalAudioStats, buildMultimodalVocab } from '../../lib/models/multimodal/batch';
import { saveMultimodalCheckpoint } from '../../lib/models/multimodal/checkpoint';
import { PRETRAIN_VARIANTS, disposeMultimodalModel, runPretraining } from '../../lib/models/multimodal/pretraining';
import { MULTIMODAL_PRETRAIN_CONFIG } from '../../lib/models/multimodal/transformer';
import { parseCommandLine } from '../cliArgs';
import { stopOnRequest } from './interrupt';

export { PRETRAIN_VARIANTS };
const HELD_OUT = 150;
/** The default size of the pre-training corpus: 8.6 × the 700 labelled utterances. */
export const PRETRAIN_CORPUS_UTTERANCES = 6000;

/** The pre-training corpus's folder (built first when missing) and what the manifest records of it. */
async function pretrainCorpus(count: number): Promise<{ dir?: string; note: Record<string, unknown> }> {
  if (count === 0) return { note: { corpus: 'datasets/multimodal-emotion, split pretrain' } };
  const dir = multimodalPretrainDir(count);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) await buildMultimodalPretrain(count, dir);
  const manifest = readManifest(dir);
  return {
    dir,
    note: { corpus: `out/datasets/multimodal-pretrain-${count}`, corpusSha256: manifest.manifestSha256 },
  };
}

export const pretrainUsage = (name: string): string => `usage: npm run train -- ${name} [options]
  --steps N   training steps (default 1200; 6 with --quick)
  --seed S    seed (default 1)
  --corpus N  pre-train on multimodal-pretrain-N: N emotion-neutral utterances by 48 voices
              disjoint from the labelled splits, built in out/datasets on first use (default 6000);
              0: the shipped multimodal-emotion pretrain split (the default with --quick)
  --quick     6 steps on a few utterances
  --out DIR   checkpoint directory (default checkpoints/${name}; out/checkpoints/${name}-quick with --quick)
  --minutes M stop after M minutes (the state is saved: --resume continues)
  --resume    continue the run saved in --state
  --state DIR where the run's state is saved (default out/train-state/${name}[-quick])`;

export interface PretrainArgs {
  name: string;
  steps: number;
  seed: number;
  /** Utterances of multimodal-pretrain-N to pre-train on; 0: the shipped corpus's pretrain split. */
  corpus: number;
  quick: boolean;
  out: string;
  state: string;
  resume: boolean;
  minutes: number;
  /** The command that repeats the run (flags given explicitly, as typed). */
  command: string;
  help: boolean;
}

/** The command line of pre-training `name` (UsageError on a bad one). */
export function parsePretrainArgs(name: string, argv: string[]): PretrainArgs {
  const { values } = parseCommandLine(`train ${name}`, argv, {
    steps: { type: 'number', rule: 'positive-integer' },
    seed: { type: 'number', rule: 'integer' },
    corpus: { type: 'number', rule: 'non-negative-integer' },
    quick: { type: 'boolean' },
    out: { type: 'string', expects: 'a directory' },
    minutes: { type: 'number', rule: 'positive', default: Infinity },
    resume: { type: 'boolean' },
    state: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick } = values;
  const steps = values.steps ?? (quick ? 6 : 1200);
  const seed = values.seed ?? 1;
  const corpus = values.corpus ?? (quick ? 0 : PRETRAIN_CORPUS_UTTERANCES);
  const root = path.resolve(__dirname, '..', '..', '..');
  const defaultOut = path.join(root, quick ? `out/checkpoints/${name}-quick` : `checkpoints/${name}`);
  const out = path.resolve(values.out ?? defaultOut);
  const command =
    `npm run train -- ${name}${values.steps !== undefined ? ` --steps ${steps}` : ''}` +
    `${values.seed !== undefined ? ` --seed ${seed}` : ''}` +
    `${values.corpus !== undefined ? ` --corpus ${corpus}` : ''}${quick ? ' --quick' : ''}`;
  const state = path.resolve(values.state ?? path.join(root, 'out', 'train-state', quick ? `${name}-quick` : name));
  return {
    name,
    steps,
    seed,
    corpus,
    quick,
    out,
    state,
    resume: values.resume,
    minutes: values.minutes,
    command,
    help: values.help,
  };
}

export async function pretrain(args: PretrainArgs): Promise<void> {
  const { name, quick, steps, seed, out, command } = args;
  if (!args.resume) fs.rmSync(args.state, { recursive: true, force: true });
  else if (!fs.existsSync(path.join(args.state, 'manifest.json')))
    throw new Error(`train ${name}: --resume found no saved run in ${args.state}`);
  const tasks = PRETRAIN_VARIANTS[name];
  const log: string[] = [];
  const say = (line: string): void => {
    console.log(line);
    log.push(line);
  };
  const corpus = await pretrainCorpus(args.corpus);
  const pretrainSet = loadMultimodalEmotion({ split: 'pretrain', limit: quick ? 60 : undefined, dir: corpus.dir });
  const all = pretrainSet.utterances;
  const heldOut = all.slice(all.length - (quick ? 10 : HELD_OUT));
  const train = all.slice(0, all.length - heldOut.length);
  const labelledTexts = loadMultimodalEmotion({ split: 'train' }).utterances.map((u) => u.text);
  const ctx = {
    vocab: buildMultimodalVocab([...all.map((u) => u.text), ...labelledTexts]),
    stats: multimodalAudioStats(all),
  };
  const cfg = { ...MULTIMODAL_PRETRAIN_CONFIG, words: ctx.vocab.words.length };
  const speakers = pretrainSet.speakers.length;
  say(
    `${name}: tasks ASR ${tasks.asr} / speaker ${tasks.speaker}, ${corpus.note.corpus}: ` +
      `${train.length} training and ${heldOut.length} held-out utterances of ${speakers} speakers, ` +
      `${steps} steps, seed ${seed}`,
  );
  const { params, record, finished } = runPretraining({
    tasks,
    train,
    heldOut,
    ctx,
    cfg,
    speakers,
    steps,
    seed,
    label: name,
    state: { dir: args.state, everyMinutes: quick ? 0 : 5 },
    maxSeconds: Number.isFinite(args.minutes) ? args.minutes * 60 : undefined,
    shouldStop: stopOnRequest(args.state, say),
  });
  if (!finished) {
    const done = record.curves.loss.length;
    say(`paused after ${done} of ${steps} steps (${record.minutes.toFixed(1)} min): --resume continues`);
    disposeMultimodalModel(params);
    return;
  }
  const mean = (xs: number[], s: number): string => (xs.slice(s - 50, s).reduce((a, b) => a + b, 0) / 50).toFixed(3);
  for (let s = 50; s <= steps; s += 50)
    say(
      `step ${s}: loss ${mean(record.curves.loss, s)} (ASR ${mean(record.curves.asr, s)}, ` +
        `speaker ${mean(record.curves.speaker, s)})`,
    );
  const pct = (x: number): string => (Number.isNaN(x) ? '— (task not trained)' : `${(100 * x).toFixed(1)} %`);
  say(
    `held out: CER ${pct(record.heldOut.cer)}, speaker accuracy ` +
      `${pct(record.heldOut.speakerAccuracy)} (${record.minutes.toFixed(1)} min)`,
  );
  for (const e of record.heldOut.examples) say(`  ref: ${e.ref}\n  hyp: ${e.hyp}`);
  const manifest = saveMultimodalCheckpoint(out, params, {
    config: cfg,
    vocab: ctx.vocab,
    stats: { mean: Array.from(ctx.stats.mean), std: Array.from(ctx.stats.std) },
    speakers,
    training: { command, backend: tf.getBackend(), ...corpus.note, ...record },
  });
  fs.writeFileSync(path.join(out, 'training-log.txt'), `${log.join('\n')}\n`);
  say(`wrote ${out} (${(manifest.weights.bytes / 1e6).toFixed(2)} MB weights)`);
  disposeMultimodalModel(params);
}
