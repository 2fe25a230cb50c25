/**
 * Dataset summaries of the captioned fashion scenes (notebook 04): one record per placed
 * object, and counts of a column per split as a wide table (counted with danfojs via
 * {@link countBy}).
 */
import { checkArgs } from '../core/validate';
import { countBy } from '../experiments/datasetSummary';
import { toDataFrame, type DataFrame } from '../experiments/dataFrames';
import type { SceneItem } from './fashionScenes';

const CELL_NAMES = ['top left', 'top right', 'bottom left', 'bottom right'];

/**
 * One row per object of every scene: `{ split, item, colour, cell, objects }` (names, and the scene's object count).
 */
export function sceneObjectRows(
  split: string,
  scenes: { items: readonly (readonly SceneItem[])[]; colourNames: readonly string[]; itemNames: readonly string[] },
): { split: string; item: string; colour: string; cell: string; objects: number }[] {
  checkArgs('sceneObjectRows').require(
    Array.isArray(scenes?.items),
    `argument 'scenes' expected loadFashionScenes' result (with items) but got ${typeof scenes}`,
  );
  return scenes.items.flatMap((objs) =>
    objs.map((o) => ({
      split,
      item: scenes.itemNames[o.item],
      colour: scenes.colourNames[o.colour],
      cell: CELL_NAMES[o.cell],
      objects: objs.length,
    })),
  );
}

/** Counts of each value of `column` per split, one row per value and one count column per split (0 when absent). */
export function countsPerSplit(rows: readonly Record<string, unknown>[], column: string): DataFrame {
  const long = countBy(rows, [column, 'split']);
  const splits = [...new Set(rows.map((r) => String(r.split)))];
  const wide = new Map<unknown, Record<string, unknown>>();
  for (const [value, split, count] of long.loc({ columns: [column, 'split', 'count'] }).values as unknown[][]) {
    if (!wide.has(value)) wide.set(value, { [column]: value, ...Object.fromEntries(splits.map((s) => [s, 0])) });
    wide.get(value)![String(split)] = count;
  }
  return toDataFrame([...wide.values()]);
}
