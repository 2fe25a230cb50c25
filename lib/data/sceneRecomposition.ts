/**
 * More training scenes from the same training images: fashion-scenes' training split holds
 * ~8,000 item crops but only 4,000 scenes, and a caption decoder trained on those 4,000
 * memorises them (its validation loss turns up while its training loss keeps falling).
 * {@link recomposeTrainingScenes} draws new scenes the way the dataset's generator
 * (scripts/datasets/fashionScenes.ts) draws them — 1–3 items on distinct cells, each item class
 * uniform, a colour uniform among those not held out for that item, one of the grammar's
 * phrasings uniform — but places the training split's own crops, so no validation, test or
 * novel image and no held-out colour–item pair enters training.
 */
import { checkArgs } from '../core/validate';
import { Rng } from '../core/random';
import { assembleScenes, FashionScenes, readSceneData } from './fashionScenes';
import { scenePhrasings } from './sceneGrammar';

/**
 * `count` new training scenes recomposed from the training split's crops (seeded; the same
 * `seed` gives the same scenes). Same form and vocabulary as `loadFashionScenes({ split: 'train' })`.
 */
export function recomposeTrainingScenes(opts: { count: number; seed: number; dir?: string }): FashionScenes {
  checkArgs('recomposeTrainingScenes')
    .number('count', opts?.count, { integer: true, min: 1 })
    .number('seed', opts.seed, { integer: true });
  const { crops, cropLabels, records } = readSceneData(opts.dir);
  const train = records.splits.train;
  const cropsOfItem: number[][] = records.items.map(() => []);
  for (let k = train.firstCrop; k < train.firstCrop + train.cropCount; k++) cropsOfItem[cropLabels[k]].push(k);
  const heldOut = new Set(records.heldOutPairs.map(([c, i]) => `${c},${i}`));
  const rng = new Rng(opts.seed);
  const placed: [number, number, number][][] = [];
  const captions: string[] = [];
  for (let s = 0; s < opts.count; s++) {
    const count = 1 + rng.int(3);
    const cells = rng
      .permutation(4)
      .slice(0, count)
      .sort((x, y) => x - y);
    const scene = cells.map((cell): [number, number, number] => {
      const item = rng.int(records.items.length);
      let colour: number;
      do colour = rng.int(records.colours.length);
      while (heldOut.has(`${colour},${item}`));
      const pool = cropsOfItem[item];
      return [pool[rng.int(pool.length)], colour, cell];
    });
    const phrasings = scenePhrasings(
      scene.map(([crop, colour, cell]) => ({ item: cropLabels[crop], colour, cell })),
      { colourNames: records.colours, itemNames: records.items },
    );
    placed.push(scene);
    captions.push(phrasings[rng.int(phrasings.length)]);
  }
  return assembleScenes(crops, cropLabels, records, placed, captions);
}
