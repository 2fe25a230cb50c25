/**
 * Writes datasets/fashion-multihot (issue 5, sigmoid multi-label head): 56×56 scenes of
 * 1–4 tinted Fashion-MNIST items on a 2×2 grid; the label is which of the 10 item types are
 * present. Types are imbalanced on purpose: type k of a seeded order is drawn with weight
 * 0.7^k, so the rarest is ~25× rarer than the most common.
 *
 *   npm run build && node dist/scripts/datasets/fashionMultiHot.js
 *
 * train from Fashion-MNIST train, dev and test from disjoint halves of t10k.
 */
import { Rng } from '../../lib';
import { gzipIdx, gzipJson } from '../../lib/data/datasetFiles';
import { TINT_COLOURS } from '../../lib/data/render';
import { ClassQueues, CropStore, readFashionMnist, writeDatasetFolder } from './common';

const SEED = 20261125;
const SIZES = { train: 2000, dev: 500, test: 500 } as const;
type Split = keyof typeof SIZES;
const DECAY = 0.7;

function main(): void {
  const rng = new Rng(SEED);
  const train = readFashionMnist('train');
  const t10k = readFashionMnist('t10k');
  const order = rng.permutation(10);
  const weights = new Array<number>(10);
  order.forEach((item, k) => (weights[item] = DECAY ** k));
  const total = weights.reduce((a, b) => a + b, 0);
  const drawItem = (r: Rng): number => {
    let u = r.uniform() * total;
    for (let i = 0; i < 10; i++) if ((u -= weights[i]) < 0) return i;
    return 9;
  };

  const t10kOrder = rng.permutation(t10k.labels.length);
  const half = t10kOrder.length / 2;
  const pools: Record<Split, ClassQueues> = {
    train: new ClassQueues(
      train,
      Array.from({ length: train.labels.length }, (_, i) => i),
      rng.fork(),
    ),
    dev: new ClassQueues(t10k, t10kOrder.slice(0, half), rng.fork()),
    test: new ClassQueues(t10k, t10kOrder.slice(half), rng.fork()),
  };
  const crops = new CropStore();
  const splits: Record<string, { source: string; sourceIndices: number[]; scenes: [number, number, number][][] }> = {};
  for (const split of Object.keys(SIZES) as Split[]) {
    const r = rng.fork();
    const first = crops.count;
    const scenes: [number, number, number][][] = [];
    for (let n = 0; n < SIZES[split]; n++) {
      const cells = r
        .permutation(4)
        .slice(0, 1 + r.int(4))
        .sort((a, b) => a - b);
      scenes.push(
        cells.map((cell) => [
          crops.add(split === 'train' ? train : t10k, pools[split].take(drawItem(r))),
          r.int(TINT_COLOURS.length),
          cell,
        ]),
      );
    }
    splits[split] = { source: split === 'train' ? 'train' : 't10k', sourceIndices: crops.sources.slice(first), scenes };
  }

  writeDatasetFolder(
    'fashion-multihot',
    {
      description:
        'Multi-label 56×56 scenes: 1–4 tinted Fashion-MNIST items on a 2×2 grid, ' +
        'labelled by which of the 10 item types are present (imbalanced on purpose).',
      generator: 'scripts/datasets/fashionMultiHot.ts',
      seed: SEED,
      counts: { crops: crops.count, ...SIZES },
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
        name: 'scenes.json.gz',
        bytes: gzipJson({ typeWeights: weights.map((w) => w / total), splits }),
        format: 'json-gz',
        description:
          'per split: scenes as [crop, colour, cell] lists and source image indices; the item-type draw probabilities',
      },
    ],
    [
      'Scenes are rendered by `renderScene` in `lib/data/render.ts` (pixel = crop/255 × colour, ' +
        'black background). The tint colour is random and not part of the label.',
      '',
      `Splits: train ${SIZES.train} (Fashion-MNIST train images), dev ${SIZES.dev} and test ${SIZES.test} ` +
        `(disjoint halves of t10k). Item type k of a seeded order is drawn with probability ∝ ${DECAY}^k.`,
      '',
      'Load with `bp.data.loadFashionMultiHot({ split })`.',
    ].join('\n'),
  );
}

main();
