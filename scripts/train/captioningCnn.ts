/**
 * `npm run train -- captioning-cnn`: notebook 04's feature CNN (lib/models/captioning/featureExtractor.ts,
 * the wider trunk C₁ 16, C₂ 32, C 64) trained on every Fashion-MNIST training image (60,000, read
 * from Debian's dataset-fashion-mnist at training time; the shipped scenes use only a few thousand),
 * each epoch tinted anew with a seeded colour of the scenes' six — never one of the scenes' held-out
 * colour–item pairs, so the notebook's novel split stays novel. The epoch's images are rendered in
 * chunks (all 60,000 tinted at once would be 560 MB) and each chunk is one call of the notebook's
 * own `trainFeatureCnn`, whose Adam starts afresh per chunk; the learning rate halves every epoch.
 * After every epoch it scores the shipped validation cells (fashion-scenes' val split, from
 * Fashion-MNIST's test images); the epoch with the best item accuracy goes to --out with its
 * manifest and training log, and the test and novel cells are scored once, at the end.
 *
 * `--extra-colours F` tints a fraction F of each epoch's images with one of the two tint colours no
 * scene uses (orange, white), and the colour head learns all eight. Items then come in more
 * colours than the scenes show, so that the item head leans on shape rather than on which colours
 * an item was seen in; the novel split's held-out colour–item pairs stay unseen.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng, tf } from '../../lib';
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
import { readFashionMnist, SOURCE } from '../datasets/common';

export const CAPTIONING_CNN_USAGE = `usage: npm run train -- captioning-cnn [options]
  --epochs E        passes over the training images (default 5; 1 with --quick)
  --lr0 LR          Adam's learning rate in the first epoch, halved every epoch (default 3e-3)
  --images N        training images used (default all 60000; 2000 with --quick)
  --seed S          seed: initial weights, colours, batch order (default 1)
  --extra-colours F fraction of images tinted orange or white (colours no scene uses; the colour
                    head then learns all eight) (default 0)
  --quick           a tiny run through the same code path
  --out DIR         checkpoint directory (default checkpoints/captioning-cnn;
                    out/checkpoints/captioning-cnn-quick with --quick)`;

export interface CaptioningCnnArgs {
  epochs: number;
  lr0: number;
  images: number;
  seed: number;
  extraColours: number;
  quick: boolean;
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
    quick: { type: 'boolean' },
    out: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick } = values;
  if (!(values['extra-colours'] >= 0 && values['extra-colours'] < 1))
    throw new UsageError(
      `train captioning-cnn: --extra-colours expects a fraction in [0, 1), got ${values['extra-colours']}`,
    );
  return {
    epochs: values.epochs ?? (quick ? 1 : 5),
    lr0: values.lr0,
    images: values.images ?? (quick ? 2000 : 60000),
    seed: values.seed,
    extraColours: values['extra-colours'],
    quick,
    out: path.resolve(
      values.out ??
        path.join(projectRoot(), quick ? 'out/checkpoints/captioning-cnn-quick' : 'checkpoints/captioning-cnn'),
    ),
    help: values.help,
  };
}

const CHUNK = 20000;
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

export async function trainCaptioningCnn(args: CaptioningCnnArgs): Promise<void> {
  const { epochs, lr0, seed, quick, out } = args;
  const command =
    `npm run train -- captioning-cnn --epochs ${epochs} --lr0 ${lr0} --images ${args.images} --seed ${seed}` +
    `${args.extraColours > 0 ? ` --extra-colours ${args.extraColours}` : ''}${quick ? ' --quick' : ''}`;
  const log: string[] = [];
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
    firstChannels: 16,
    middleChannels: 32,
    channels: 64,
  };
  const cnn: FeatureCnn = buildFeatureCnn({ ...sizes, seed });
  say(
    `data: ${N} of ${fashion.labels.length} Fashion-MNIST training images (${SOURCE}); ` +
      `validation: ${val.images.shape[0]} cells`,
  );
  say(
    `model: ${JSON.stringify(sizes)}, ${cnn.classifier.countParams()} parameters; Adam lr ${lr0} halved every epoch, ` +
      `batch 64, ${epochs} epochs, new colours every epoch (held-out pairs excluded; ` +
      `${(100 * args.extraColours).toFixed(0)} % orange or white), seed ${seed}`,
  );
  say(command);
  const rng = new Rng(seed);
  const record: { epoch: number; loss: number; valItem: number; valColour: number }[] = [];
  let best = -1;
  const t0 = Date.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = rng.permutation(fashion.labels.length).slice(0, N);
    const colours = order.map((i) => {
      // no draw when F = 0, so the shipped CNN's command still makes the same colours
      if (args.extraColours > 0 && rng.uniform() < args.extraColours)
        return nColours + rng.int(TINT_COLOURS.length - nColours);
      const options = allowed[fashion.labels[i]];
      return options[rng.int(options.length)];
    });
    const losses: number[] = [];
    for (let start = 0; start < N; start += CHUNK) {
      const chunk = renderChunk(
        fashion.images.data,
        fashion.labels,
        order.slice(start, start + CHUNK),
        colours.slice(start, start + CHUNK),
      );
      const { epochLoss } = await trainFeatureCnn(cnn, chunk, {
        epochs: 1,
        batchSize: 64,
        seed: rng.int(2 ** 31),
        lr: lr0 / 2 ** (epoch - 1),
        label: `epoch ${epoch}/${epochs}, images ${start + 1}–${Math.min(N, start + CHUNK)}`,
      });
      losses.push(epochLoss[0] * chunk.items.shape[0]);
      tf.dispose([chunk.images, chunk.items, chunk.colours]);
    }
    const acc = evaluateFeatureCnn(cnn, val);
    const loss = losses.reduce((a, b) => a + b, 0) / N;
    const better = acc.itemAccuracy > best;
    record.push({ epoch, loss, valItem: acc.itemAccuracy, valColour: acc.colourAccuracy });
    say(
      `epoch ${epoch}: training loss ${loss.toFixed(4)}, validation item ${pct(acc.itemAccuracy)}, ` +
        `colour ${pct(acc.colourAccuracy)}${better ? ' (best so far: saved)' : ''}; ` +
        `${((Date.now() - t0) / 60000).toFixed(1)} min`,
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
  say(`kept epoch ${bestEpoch}; ${((Date.now() - t0) / 60000).toFixed(1)} min in all`);
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
