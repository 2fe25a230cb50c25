/**
 * `npm run train -- captioning-cnn`: notebook 04's feature CNN (lib/models/captioning/featureExtractor.ts,
 * the wider trunk: widths C₁, C₂, C from --widths) trained on every Fashion-MNIST training image (60,000, read
 * from Debian's dataset-fashion-mnist at training time; the shipped scenes use only a few thousand),
 * each epoch tinted anew with a seeded colour of the scenes' six — never one of the scenes' held-out
 * colour–item pairs, so the notebook's novel split stays novel. The epoch's images are rendered in
 * chunks (all 60,000 tinted at once would be 560 MB) and each chunk is one call of the notebook's
 * own `trainFeatureCnn`, whose Adam starts afresh per chunk; the learning rate halves every epoch.
 * After every epoch it scores the shipped validation cells (fashion-scenes' val split, from
 * Fashion-MNIST's test images); the epoch with the best item accuracy goes to --out with its
 * manifest and training log, and the test and novel cells are scored once, at the end.
 *
 * The run is resumable: after every chunk its state — the weights, where it stands, the seeded
 * generator's state and the log — is saved to --state, and `--resume` continues it exactly (Adam
 * starts afresh per chunk, so nothing else is needed; test/captioningCnnTraining.test.ts checks
 * that a run stopped and resumed ends with the same weights). `--minutes M` or
 * `touch <state>.STOP` pauses it after a chunk.
 *
 * `--extra-colours F` tints a fraction F of each epoch's images with one of the two tint colours no
 * scene uses (orange, white), and the colour head learns all eight. Items then come in more
 * colours than the scenes show, so that the item head leans on shape rather than on which colours
 * an item was seen in; the novel split's held-out colour–item pairs stay unseen.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng, tf, type RngState } from '../../lib';
import { projectRoot } from '../../lib/core/projectRoot';
import { loadFashionCells, loadFashionScenes } from '../../lib/data/fashionScenes';
import { renderTintedItem, TINT_COLOURS } from '../../lib/data/render';
import { loadFeatureCnn, saveFeatureCnn } from '../../lib/models/captioning/cnnCheckpoint';
import {
  buildFeatureCnn,
  evaluateFeatureCnn,
  trainFeatureCnn,
  type FeatureCnn,
} from '../../lib/models/captioning/featureExtractor';
import { parseCommandLine, UsageError } from '../cliArgs';
import { stopOnRequest } from './interrupt';
import { readFashionMnist, SOURCE } from '../datasets/common';

export const CAPTIONING_CNN_USAGE = `usage: npm run train -- captioning-cnn [options]
  --epochs E        passes over the training images (default 3; 1 with --quick)
  --lr0 LR          Adam's learning rate in the first epoch, halved every epoch (default 3e-3)
  --images N        training images used (default all 60000; 2000 with --quick)
  --seed S          seed: initial weights, colours, batch order (default 1)
  --widths C1,C2,C  the trunk's channel widths (default 32,64,64; C2 0: no middle conv)
  --final-pool P    the trunk's last pooling per 7×7 block: average or max (default max)
  --extra-colours F fraction of images tinted orange or white (colours no scene uses; the colour
                    head then learns all eight) (default 0)
  --quick           a tiny run through the same code path
  --chunk N         images rendered and trained at a time; the run's state is saved after each
                    (default 20000)
  --minutes M       stop after the chunk that passes M minutes (the state is saved: --resume continues)
  --resume          continue the run saved in --state (the same command line)
  --state DIR       where the run's state is saved (default out/train-state/captioning-cnn[-quick])
  --out DIR         checkpoint directory (default checkpoints/captioning-cnn;
                    out/checkpoints/captioning-cnn-quick with --quick)`;

export interface CaptioningCnnArgs {
  epochs: number;
  lr0: number;
  images: number;
  seed: number;
  extraColours: number;
  widths: [number, number, number];
  finalPool: 'average' | 'max';
  quick: boolean;
  chunk: number;
  minutes: number;
  resume: boolean;
  state: string;
  out: string;
  help: boolean;
}

/** The CNN trainer's command line (UsageError on a bad one). */
export function parseCaptioningCnnArgs(argv: string[]): CaptioningCnnArgs {
  const { values } = parseCommandLine('train captioning-cnn', argv, {
    epochs: { type: 'number', rule: 'positive-integer' },
    lr0: { type: 'number', rule: 'positive', default: 3e-3 },
    images: { type: 'number', rule: 'positive-integer' },
    seed: { type: 'number', rule: 'integer', default: 1 },
    'extra-colours': { type: 'number', rule: 'number', default: 0, expects: 'a fraction in [0, 1)' },
    widths: { type: 'string', default: '32,64,64', expects: 'three integers C1,C2,C' },
    'final-pool': { type: 'string', default: 'max', expects: 'average or max' },
    quick: { type: 'boolean' },
    chunk: { type: 'number', rule: 'positive-integer', default: 20000 },
    minutes: { type: 'number', rule: 'positive', default: Infinity },
    resume: { type: 'boolean' },
    state: { type: 'string', expects: 'a directory' },
    out: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick } = values;
  if (!(values['extra-colours'] >= 0 && values['extra-colours'] < 1))
    throw new UsageError(
      `train captioning-cnn: --extra-colours expects a fraction in [0, 1), got ${values['extra-colours']}`,
    );
  const widths = values.widths.split(',').map(Number);
  if (widths.length !== 3 || !widths.every((w, i) => Number.isInteger(w) && w >= (i === 1 ? 0 : 1)))
    throw new UsageError(
      `train captioning-cnn: --widths expects three integers C1,C2,C (C1, C ≥ 1, C2 ≥ 0), got ${values.widths}`,
    );
  const finalPool = values['final-pool'];
  if (finalPool !== 'average' && finalPool !== 'max')
    throw new UsageError(`train captioning-cnn: --final-pool expects average or max, got ${finalPool}`);
  return {
    epochs: values.epochs ?? (quick ? 1 : 3),
    lr0: values.lr0,
    images: values.images ?? (quick ? 2000 : 60000),
    seed: values.seed,
    extraColours: values['extra-colours'],
    widths: widths as [number, number, number],
    finalPool,
    quick,
    chunk: values.chunk,
    minutes: values.minutes,
    resume: values.resume,
    state: path.resolve(
      values.state ?? path.join(projectRoot(), 'out', 'train-state', quick ? 'captioning-cnn-quick' : 'captioning-cnn'),
    ),
    out: path.resolve(
      values.out ??
        path.join(projectRoot(), quick ? 'out/checkpoints/captioning-cnn-quick' : 'checkpoints/captioning-cnn'),
    ),
    help: values.help,
  };
}

const pct = (r: number): string => `${(100 * r).toFixed(1)} %`;

/** The colours each item may take: all but its held-out pairs. */
function allowedColours(items: number, colours: number, heldOut: readonly [number, number][]): number[][] {
  return Array.from({ length: items }, (_, item) =>
    Array.from({ length: colours }, (_, c) => c).filter((c) => !heldOut.some(([hc, hi]) => hc === c && hi === item)),
  );
}

/** Images `order` of the set, tinted with `colours`, as cells for trainFeatureCnn. */
function renderChunk(pixels: Uint8Array, labels: Uint8Array, order: number[], colours: number[]) {
  const n = order.length;
  const images = new Float32Array(n * 28 * 28 * 3);
  order.forEach((i, k) => images.set(renderTintedItem(pixels, i, colours[k]), k * 28 * 28 * 3));
  return {
    images: tf.tensor4d(images, [n, 28, 28, 3]),
    items: tf.tensor1d(
      Int32Array.from(order, (i) => labels[i]),
      'int32',
    ),
    colours: tf.tensor1d(Int32Array.from(colours), 'int32'),
  };
}

type EpochRecord = { epoch: number; loss: number; valItem: number; valColour: number };

/**
 * Where a run stands after a chunk: the next chunk to train, the generator's state at the start
 * of this epoch (to redraw its order and colours) and now, the losses of the epoch so far, the
 * record and the log. With the CNN's weights (Adam starts afresh per chunk) this is all a resumed
 * run needs to continue exactly.
 */
interface CnnProgress {
  command: string;
  epoch: number;
  nextImage: number;
  epochRng: RngState;
  rng: RngState;
  losses: number[];
  record: EpochRecord[];
  best: number;
  seconds: number;
  log: string[];
}

/** Writes the CNN and its progress to `dir` (through `dir.tmp`, so a run killed mid-write keeps the last). */
function saveProgress(dir: string, cnn: FeatureCnn, progress: CnnProgress): void {
  const tmp = `${dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  saveFeatureCnn(tmp, cnn, { partial: true, command: progress.command });
  fs.writeFileSync(path.join(tmp, 'progress.json'), JSON.stringify(progress));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

/** The saved run in `dir`, refused unless it was made by the same command. */
function loadProgress(dir: string, command: string): { cnn: FeatureCnn; progress: CnnProgress } {
  const file = path.join(dir, 'progress.json');
  if (!fs.existsSync(file)) throw new UsageError(`train captioning-cnn: --resume found no saved run in ${dir}`);
  const progress = JSON.parse(fs.readFileSync(file, 'utf8')) as CnnProgress;
  if (progress.command !== command)
    throw new UsageError(
      `train captioning-cnn: the run in ${dir} was made by \`${progress.command}\`; resume it with the same options`,
    );
  return { cnn: loadFeatureCnn(dir).cnn, progress };
}

export async function trainCaptioningCnn(args: CaptioningCnnArgs): Promise<void> {
  const { epochs, lr0, seed, quick, out } = args;
  const command =
    `npm run train -- captioning-cnn --epochs ${epochs} --lr0 ${lr0} --images ${args.images} --seed ${seed}` +
    ` --widths ${args.widths.join(',')} --final-pool ${args.finalPool}` +
    `${args.extraColours > 0 ? ` --extra-colours ${args.extraColours}` : ''}` +
    `${args.chunk !== 20000 ? ` --chunk ${args.chunk}` : ''}${quick ? ' --quick' : ''}`;
  const resumed = args.resume ? loadProgress(args.state, command) : null;
  const log: string[] = resumed?.progress.log ?? [];
  const say = (line: string): void => {
    console.log(line);
    log.push(line);
  };
  const fashion = readFashionMnist('train');
  const scenes = loadFashionScenes({ split: 'train', limit: 1 });
  tf.dispose([scenes.images, scenes.captions]);
  const [nItems, nColours] = [scenes.itemNames.length, scenes.colourNames.length];
  const allowed = allowedColours(nItems, nColours, scenes.heldOutPairs);
  const N = Math.min(args.images, fashion.labels.length);
  const val = loadFashionCells({ split: 'val' });
  const sizes = {
    items: nItems,
    colours: args.extraColours > 0 ? TINT_COLOURS.length : nColours,
    firstChannels: args.widths[0],
    middleChannels: args.widths[1],
    channels: args.widths[2],
    finalPool: args.finalPool,
  };
  const cnn: FeatureCnn = resumed?.cnn ?? buildFeatureCnn({ ...sizes, seed });
  if (resumed) {
    const p = resumed.progress;
    const where = p.nextImage < N ? `image ${p.nextImage + 1} of ${N}` : 'its validation';
    say(`resumed from ${args.state}: epoch ${p.epoch}, at ${where}`);
  } else {
    say(
      `data: ${N} of ${fashion.labels.length} Fashion-MNIST training images (${SOURCE}); ` +
        `validation: ${val.images.shape[0]} cells`,
    );
    say(
      `model: ${JSON.stringify(sizes)}, ${cnn.classifier.countParams()} parameters; Adam lr ${lr0} halved every ` +
        `epoch, batch 64, ${epochs} epochs, new colours every epoch (held-out pairs excluded; ` +
        `${(100 * args.extraColours).toFixed(0)} % orange or white), seed ${seed}`,
    );
    say(command);
  }
  const from = resumed?.progress;
  let rng = from ? Rng.fromState(from.epochRng) : new Rng(seed);
  const record: EpochRecord[] = from?.record ?? [];
  let best = from?.best ?? -1;
  const t0 = Date.now() - 1000 * (from?.seconds ?? 0);
  const minutes = (): string => `${((Date.now() - t0) / 60000).toFixed(1)} min`;
  const processStart = Date.now();
  const stopRequested = stopOnRequest(args.state, say);
  const timeToStop = (): boolean => Date.now() - processStart >= args.minutes * 60000 || stopRequested();
  for (let epoch = from?.epoch ?? 1; epoch <= epochs; epoch++) {
    const epochRng = rng.getState();
    const order = rng.permutation(fashion.labels.length).slice(0, N);
    const colours = order.map((i) => {
      // no draw when F = 0, so the shipped CNN's command still makes the same colours
      if (args.extraColours > 0 && rng.uniform() < args.extraColours)
        return nColours + rng.int(TINT_COLOURS.length - nColours);
      const options = allowed[fashion.labels[i]];
      return options[rng.int(options.length)];
    });
    const resuming = from !== undefined && epoch === from.epoch;
    if (resuming) rng = Rng.fromState(from.rng); // this epoch's chunks before nextImage are done
    const losses: number[] = resuming ? [...from.losses] : [];
    for (let start = resuming ? from.nextImage : 0; start < N; start += args.chunk) {
      const chunk = renderChunk(
        fashion.images.data,
        fashion.labels,
        order.slice(start, start + args.chunk),
        colours.slice(start, start + args.chunk),
      );
      const { epochLoss } = await trainFeatureCnn(cnn, chunk, {
        epochs: 1,
        batchSize: 64,
        seed: rng.int(2 ** 31),
        lr: lr0 / 2 ** (epoch - 1),
        label: `epoch ${epoch}/${epochs}, images ${start + 1}–${Math.min(N, start + args.chunk)}`,
      });
      losses.push(epochLoss[0] * chunk.items.shape[0]);
      tf.dispose([chunk.images, chunk.items, chunk.colours]);
      const seconds = (Date.now() - t0) / 1000;
      const state = { command, epoch, nextImage: start + args.chunk, epochRng, rng: rng.getState() };
      const pause = timeToStop();
      if (pause)
        say(
          `paused after image ${Math.min(N, start + args.chunk)} of epoch ${epoch}; ${minutes()} (--resume continues)`,
        );
      saveProgress(args.state, cnn, { ...state, losses, record, best, seconds, log });
      if (pause) {
        cnn.classifier.dispose();
        tf.dispose([val.images, val.items, val.colours]);
        return;
      }
    }
    const acc = evaluateFeatureCnn(cnn, val);
    const loss = losses.reduce((a, b) => a + b, 0) / N;
    const better = acc.itemAccuracy > best;
    record.push({ epoch, loss, valItem: acc.itemAccuracy, valColour: acc.colourAccuracy });
    say(
      `epoch ${epoch}: training loss ${loss.toFixed(4)}, validation item ${pct(acc.itemAccuracy)}, ` +
        `colour ${pct(acc.colourAccuracy)}${better ? ' (best so far: saved)' : ''}; ${minutes()}`,
    );
    if (better) {
      best = acc.itemAccuracy;
      saveFeatureCnn(out, cnn, { partial: true, command, epoch, record });
    }
  }
  cnn.classifier.dispose();
  const { cnn: kept, manifest } = loadFeatureCnn(out);
  const bestEpoch = (manifest.training as { epoch: number }).epoch;
  const score = (split: 'test' | 'novel') => {
    const cells = loadFashionCells({ split });
    const acc = evaluateFeatureCnn(kept, cells);
    tf.dispose([cells.images, cells.items, cells.colours]);
    say(`${split} cells (${cells.images.shape[0]}): item ${pct(acc.itemAccuracy)}, colour ${pct(acc.colourAccuracy)}`);
    return acc;
  };
  const test = score('test');
  const novel = score('novel');
  say(`kept epoch ${bestEpoch}; ${minutes()} in all`);
  saveFeatureCnn(out, kept, {
    command,
    epochs,
    bestEpoch,
    trainingImages: N,
    seconds: Math.round((Date.now() - t0) / 1000),
    record,
    test,
    novel,
  });
  fs.writeFileSync(path.join(out, 'training-log.txt'), `${log.join('\n')}\n`);
  console.log(`wrote ${out}`);
  kept.classifier.dispose();
  tf.dispose([val.images, val.items, val.colours]);
}
