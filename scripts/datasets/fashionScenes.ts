/**
 * Writes datasets/fashion-scenes: 2×2 scenes of tinted Fashion-MNIST items with captions
 * from a small grammar (issue 4, image captioning).
 *
 *   npm run build && node dist/scripts/datasets/fashionScenes.js
 *
 * - train scenes take item images from Fashion-MNIST's train set; val, test and novel from
 *   three disjoint thirds of t10k — no image appears in two splits (nor twice in one).
 * - 8 colour–item pairs are held out of train/val/test (each item and colour still occurs
 *   in training); every `novel` scene contains at least one held-out pair.
 * - only the used 28×28 crops and the composition records are stored; the loader renders.
 */
import { Rng } from '../../lib';
import { buildVocab, tokenizeCaption } from '../../lib/data/captions';
import { gzipIdx, gzipJson } from '../../lib/data/datasetFiles';
import { FASHION_ITEMS, TINT_COLOURS } from '../../lib/data/render';
import { scenePhrasings } from '../../lib/data/sceneGrammar';
import { ClassQueues, CropStore, readFashionMnist, writeDatasetFolder } from './common';

const SEED = 20261123;
const N_COLOURS = 6;
const SIZES = { train: 4000, val: 500, test: 500, novel: 500 } as const;
type Split = keyof typeof SIZES;

const rng = new Rng(SEED);
const colours = TINT_COLOURS.slice(0, N_COLOURS).map((c) => c.name);

// Held-out colour–item pairs: 8 distinct items, colours cycling through a permutation, so
// no item loses more than one colour and no colour more than two.
const itemOrder = rng.permutation(10);
const colourOrder = rng.permutation(N_COLOURS);
const heldOut: [number, number][] = itemOrder.slice(0, 8).map((item, k) => [colourOrder[k % N_COLOURS], item]);
const isHeldOut = (colour: number, item: number): boolean => heldOut.some(([c, i]) => c === colour && i === item);

type Placed = [crop: number, colour: number, cell: number];

function main(): void {
  const train = readFashionMnist('train');
  const t10k = readFashionMnist('t10k');
  const t10kOrder = rng.permutation(t10k.labels.length);
  const third = Math.floor(t10kOrder.length / 3);
  const pools: Record<Split, ClassQueues> = {
    train: new ClassQueues(
      train,
      Array.from({ length: train.labels.length }, (_, i) => i),
      rng.fork(),
    ),
    val: new ClassQueues(t10k, t10kOrder.slice(0, third), rng.fork()),
    test: new ClassQueues(t10k, t10kOrder.slice(third, 2 * third), rng.fork()),
    novel: new ClassQueues(t10k, t10kOrder.slice(2 * third), rng.fork()),
  };
  const crops = new CropStore();
  const splits: Record<
    string,
    {
      source: string;
      firstCrop: number;
      cropCount: number;
      sourceIndices: number[];
      scenes: Placed[][];
      captions: string[];
    }
  > = {};

  for (const split of Object.keys(SIZES) as Split[]) {
    const r = rng.fork();
    const firstCrop = crops.count;
    const scenes: Placed[][] = [];
    const captions: string[] = [];
    for (let s = 0; s < SIZES[split]; s++) {
      const count = 1 + r.int(3);
      const cells = r
        .permutation(4)
        .slice(0, count)
        .sort((x, y) => x - y);
      const novelSlot = split === 'novel' ? r.int(count) : -1;
      const placed = cells.map((cell, k) => {
        let item: number;
        let colour: number;
        if (k === novelSlot) {
          [colour, item] = heldOut[r.int(heldOut.length)];
        } else {
          item = r.int(10);
          do colour = r.int(N_COLOURS);
          while (split !== 'novel' && isHeldOut(colour, item));
        }
        return { item, colour, cell };
      });
      const source = split === 'train' ? train : t10k;
      scenes.push(placed.map((p) => [crops.add(source, pools[split].take(p.item)), p.colour, p.cell]));
      const phrasings = scenePhrasings(placed, { colourNames: colours, itemNames: FASHION_ITEMS });
      captions.push(phrasings[r.int(phrasings.length)]);
    }
    splits[split] = {
      source: split === 'train' ? 'train' : 't10k',
      firstCrop,
      cropCount: crops.count - firstCrop,
      sourceIndices: crops.sources.slice(firstCrop),
      scenes,
      captions,
    };
  }

  const vocab = buildVocab(splits.train.captions);
  const maxLength =
    2 + Math.max(...Object.values(splits).flatMap((s) => s.captions.map((c) => tokenizeCaption(c).length)));
  const records = {
    colours,
    items: [...FASHION_ITEMS],
    heldOutPairs: heldOut,
    maxLength,
    vocab: vocab.idxToWord,
    splits,
  };
  const counts: Record<string, number> = { crops: crops.count, vocabulary: vocab.idxToWord.length, maxLength };
  for (const split of Object.keys(SIZES)) counts[split] = splits[split].scenes.length;

  writeDatasetFolder(
    'fashion-scenes',
    {
      description:
        'Captioned 56×56 RGB scenes: 1–3 tinted Fashion-MNIST items on a 2×2 grid, captions naming colour, ' +
        'item and position or relation; a `novel` split of colour–item pairs never seen in training.',
      generator: 'scripts/datasets/fashionScenes.ts',
      seed: SEED,
      counts,
    },
    [
      {
        name: 'crops.idx3-ubyte.gz',
        bytes: gzipIdx(crops.images()),
        format: 'idx-gz',
        description: 'uint8 [K, 28, 28] grayscale item crops used by the scenes',
      },
      {
        name: 'crop-labels.idx1-ubyte.gz',
        bytes: gzipIdx(crops.labelArray()),
        format: 'idx-gz',
        description: 'uint8 [K] Fashion-MNIST class of each crop',
      },
      {
        name: 'scenes.json.gz',
        bytes: gzipJson(records),
        format: 'json-gz',
        description:
          'per split: scenes as [crop, colour, cell] lists, captions, ' +
          'source image indices; colours, items, held-out pairs, vocabulary',
      },
    ],
    [
      'Each scene is rendered by `renderScene` in `lib/data/render.ts`: pixel = crop/255 × colour ' +
        '(black background), cell 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right.',
      '',
      `Splits: train ${SIZES.train} (item images from Fashion-MNIST train), val ${SIZES.val}, ` +
        `test ${SIZES.test} and novel ${SIZES.novel} (from three disjoint thirds of t10k).`,
      `Colours: ${colours.join(', ')}. Held-out colour–item pairs (never in train/val/test; at least ` +
        `one per novel scene): ${heldOut.map(([c, i]) => `${colours[c]} ${FASHION_ITEMS[i]}`).join(', ')}.`,
      '',
      'Load with `bp.data.loadFashionScenes({ split })` (images, captions as ids, ' +
        'caption texts, per-item labels, vocabulary) ' +
        'or `bp.data.loadFashionCells({ split })` (single tinted items with item and colour labels).',
    ].join('\n'),
  );
}

main();
