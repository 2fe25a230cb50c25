/**
 * The oracle ceiling of notebook 04: how well a caption can be right when the words come only
 * from what the feature CNN recognises. For every object of a scene (its cell given: which cells
 * hold an item is not asked of the CNN), the CNN's classifier reads that 28×28 cell and names its
 * item and colour (argmax of each head); the caption is the grammar's first phrasing of those
 * names (lib/data/sceneGrammar.ts). A decoder reads the same CNN's features, so its fully-correct
 * rate is bounded, roughly, by the oracle's: a gap to the oracle is the decoder's to close, a gap
 * from the oracle to 100 % is the CNN's.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { tokenizeCaption } from '../../data/captions';
import type { SceneItem } from '../../data/fashionScenes';
import { scenePhrasings } from '../../data/sceneGrammar';
import type { SceneVocabulary } from './analysis';
import type { FeatureCnn } from './featureExtractor';

const CELL = 28;

/**
 * The oracle's caption (tokens) for each scene, and the objects it named.
 * @param images [N, 56, 56, 3] scenes; @param items each scene's objects (only their cells are read)
 */
export function oracleCaptions(
  cnn: FeatureCnn,
  images: tf.Tensor,
  items: readonly (readonly SceneItem[])[],
  vocab: SceneVocabulary,
): { words: string[][]; named: SceneItem[][] } {
  const { N } = checkArgs('oracleCaptions')
    .require(cnn?.classifier instanceof tf.LayersModel, "argument 'cnn' expected a FeatureCnn")
    .tensor('images', images, ['N', 2 * CELL, 2 * CELL, 3], 'float32').dims;
  checkArgs('oracleCaptions').require(
    Array.isArray(items) && items.length === N,
    `argument 'items' expected one list of objects per scene (${N}) ` +
      `but got ${Array.isArray(items) ? items.length : typeof items}`,
  );
  const where = items.flatMap((objects, n) => objects.map((o) => ({ n, cell: o.cell })));
  const [itemIds, colourIds] = tf.tidy(() => {
    const crops = tf.stack(
      where.map(({ n, cell }) =>
        tf.squeeze(tf.slice(images, [n, cell < 2 ? 0 : CELL, cell % 2 === 0 ? 0 : CELL, 0], [1, CELL, CELL, 3]), [0]),
      ),
    );
    const [itemLogits, colourLogits] = cnn.classifier.predict(crops) as tf.Tensor[];
    // a CNN may know more tint colours than the scenes use: only the vocabulary's can be named
    const named = tf.slice(colourLogits, [0, 0], [-1, vocab.colourNames.length]);
    return [tf.argMax(itemLogits, 1), tf.argMax(named, 1)];
  });
  const [itemOf, colourOf] = [itemIds.dataSync(), colourIds.dataSync()];
  tf.dispose([itemIds, colourIds]);
  const named: SceneItem[][] = items.map(() => []);
  where.forEach(({ n, cell }, k) => named[n].push({ cell, item: itemOf[k], colour: colourOf[k] }));
  const words = named.map((objects) => tokenizeCaption(scenePhrasings(objects, vocab)[0]));
  return { words, named };
}
