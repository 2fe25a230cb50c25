/**
 * Writes datasets/fashion-tints (issue 5, multi-label heads): single 28×28 Fashion-MNIST
 * items, each tinted one of 8 colours over one of 3 background textures, so every image has
 * three labels — item (10), colour (8), texture (3).
 *
 *   npm run build && node dist/scripts/datasets/fashionTints.js
 *
 * - Training shows only 27 of the 80 item×colour combinations (chosen seeded so every item
 *   and every colour still occurs); `test` holds seen and unseen combinations half and half.
 * - `pretrain` is a different task on different images: untinted items (white on plain),
 *   labelled by item only, for pre-training the shared backbone.
 * - train/pretrain images come from Fashion-MNIST train (disjoint), val/test from t10k (disjoint).
 */
import { Rng } from '../../lib';
import { gzipIdx, gzipJson } from '../../lib/data/datasetFiles';
import { TEXTURES, TINT_COLOURS } from '../../lib/data/render';
import { ClassQueues, CropStore, readFashionMnist, writeDatasetFolder } from './common';

const SEED = 20261124;
const SEEN_COMBOS = 27;
const SIZES = { pretrain: 3000, train: 3000, val: 500, test: 1500 } as const;
type Split = keyof typeof SIZES;
const WHITE = TINT_COLOURS.findIndex((c) => c.name === 'white');

const rng = new Rng(SEED);
const nColours = TINT_COLOURS.length;

/** Seen [item, colour] combinations: a cover (item i with colour perm[i mod 8]) plus random others. */
function chooseSeen(): [number, number][] {
  const perm = rng.permutation(nColours);
  const seen = new Set<number>(Array.from({ length: 10 }, (_, i) => i * nColours + perm[i % nColours]));
  const rest = rng.permutation(10 * nColours).filter((k) => !seen.has(k));
  for (const k of rest) {
    if (seen.size >= SEEN_COMBOS) break;
    seen.add(k);
  }
  return [...seen].sort((a, b) => a - b).map((k) => [Math.floor(k / nColours), k % nColours]);
}

function main(): void {
  const train = readFashionMnist('train');
  const t10k = readFashionMnist('t10k');
  const seen = chooseSeen();
  const unseen: [number, number][] = [];
  for (let i = 0; i < 10; i++)
    for (let c = 0; c < nColours; c++) if (!seen.some(([si, sc]) => si === i && sc === c)) unseen.push([i, c]);

  const trainOrder = rng.permutation(train.labels.length);
  const t10kOrder = rng.permutation(t10k.labels.length);
  const half = t10kOrder.length / 2;
  const pools: Record<Split, ClassQueues> = {
    pretrain: new ClassQueues(train, trainOrder.slice(0, 30000), rng.fork()),
    train: new ClassQueues(train, trainOrder.slice(30000), rng.fork()),
    val: new ClassQueues(t10k, t10kOrder.slice(0, half), rng.fork()),
    test: new ClassQueues(t10k, t10kOrder.slice(half), rng.fork()),
  };

  const crops = new CropStore();
  const splits: Record<
    string,
    { source: string; sourceIndices: number[]; crop: number[]; colour: number[]; texture: number[] }
  > = {};
  for (const split of Object.keys(SIZES) as Split[]) {
    const r = rng.fork();
    const first = crops.count;
    const rec = { crop: [] as number[], colour: [] as number[], texture: [] as number[] };
    for (let n = 0; n < SIZES[split]; n++) {
      let item: number, colour: number, texture: number;
      if (split === 'pretrain') {
        [item, colour, texture] = [r.int(10), WHITE, 0];
      } else {
        const pool = split === 'test' && n % 2 === 1 ? unseen : seen;
        [item, colour] = pool[r.int(pool.length)];
        texture = r.int(TEXTURES.length);
      }
      rec.crop.push(crops.add(split === 'pretrain' || split === 'train' ? train : t10k, pools[split].take(item)));
      rec.colour.push(colour);
      rec.texture.push(texture);
    }
    splits[split] = {
      source: split === 'pretrain' || split === 'train' ? 'train' : 't10k',
      sourceIndices: crops.sources.slice(first),
      ...rec,
    };
  }

  const records = { colours: TINT_COLOURS.map((c) => c.name), textures: [...TEXTURES], seenPairs: seen, splits };
  writeDatasetFolder(
    'fashion-tints',
    {
      description:
        'Tinted Fashion-MNIST items with three label categories — item (10), ' +
        'colour (8), background texture (3) — where training covers only 27 of the 80 ' +
        'item×colour combinations, plus an untinted item-only `pretrain` split.',
      generator: 'scripts/datasets/fashionTints.ts',
      seed: SEED,
      counts: { crops: crops.count, seenCombinations: seen.length, unseenCombinations: unseen.length, ...SIZES },
    },
    [
      {
        name: 'crops.idx3-ubyte.gz',
        bytes: gzipIdx(crops.images()),
        format: 'idx-gz',
        description: 'uint8 [K, 28, 28] grayscale item crops',
      },
      {
        name: 'crop-labels.idx1-ubyte.gz',
        bytes: gzipIdx(crops.labelArray()),
        format: 'idx-gz',
        description: 'uint8 [K] Fashion-MNIST class of each crop',
      },
      {
        name: 'tints.json.gz',
        bytes: gzipJson(records),
        format: 'json-gz',
        description:
          'per split: crop, colour and texture of each image and source image indices; ' +
          'colour and texture names; seen [item, colour] pairs',
      },
    ],
    [
      'Each image is rendered by `renderTintedItem` in `lib/data/render.ts`: pixel = a·colour + ' +
        '(1 − a)·texture with a = crop/255 and a gray procedural texture (plain, diagonal stripes, dots).',
      '',
      `Splits: pretrain ${SIZES.pretrain} (untinted, item label only), ` +
        `train ${SIZES.train} and val ${SIZES.val} (seen combinations only), ` +
        `test ${SIZES.test} (alternately seen and unseen combinations, flagged).`,
      '',
      'Load with `bp.data.loadFashionTints({ split })` and `bp.data.loadFashionPretrain()`.',
    ].join('\n'),
  );
}

main();
