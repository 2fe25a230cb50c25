/**
 * The grammar of fashion-scenes' captions: every phrasing the dataset may give a layout. The
 * dataset's generator (scripts/datasets/fashionScenes.ts) picks one of them per scene; notebook 04
 * scores captions against all of them (multi-reference BLEU) and writes the oracle's template
 * captions with the first.
 *
 *   one item      "a red top in the top left", "a red top on the left", "a red top at the top",
 *                 "there is a red top in the top left corner"
 *   two items     one above the other: "a A above a B", "a B below a A", "a A on top of a B";
 *                 side by side: "a A to the left of a B", "a B to the right of a A", "a A next to a B";
 *                 diagonal: "a A and a B", "a A and a B in opposite corners",
 *                 "a A at the top and a B at the bottom"
 *   three items   "a A above a B with a C on the left|right", "a A , a B and a C",
 *                 "three items : a A , a B and a C"
 *
 * Items are listed in reading order (cells ascending: 0 top left, 1 top right, 2 bottom left, 3 bottom right).
 */
import { checkArgs } from '../core/validate';
import type { SceneItem } from './fashionScenes';

const vertical = (cell: number): string => (cell < 2 ? 'top' : 'bottom');
const horizontal = (cell: number): string => (cell % 2 === 0 ? 'left' : 'right');

/** Every caption the grammar gives the scene `items` (1–3 items on distinct cells), in the generator's order. */
export function scenePhrasings(
  items: readonly SceneItem[],
  names: { colourNames: readonly string[]; itemNames: readonly string[] },
): string[] {
  const c = checkArgs('scenePhrasings').require(
    Array.isArray(items) && items.length >= 1 && items.length <= 3,
    `argument 'items' expected 1 to 3 scene items but got ${Array.isArray(items) ? items.length : typeof items}`,
  );
  items.forEach((o, k) => {
    c.number(`items[${k}].cell`, o?.cell, { integer: true, min: 0, max: 3 });
    c.number(`items[${k}].colour`, o.colour, { integer: true, min: 0, max: names.colourNames.length - 1 });
    c.number(`items[${k}].item`, o.item, { integer: true, min: 0, max: names.itemNames.length - 1 });
  });
  c.require(new Set(items.map((o) => o.cell)).size === items.length, "argument 'items' has two items on one cell");
  const placed = [...items].sort((p, q) => p.cell - q.cell);
  const phrase = (o: SceneItem): string => `${names.colourNames[o.colour]} ${names.itemNames[o.item]}`;
  const [a, b, c3] = placed.map(phrase);
  if (placed.length === 1) {
    const cell = placed[0].cell;
    return [
      `a ${a} in the ${vertical(cell)} ${horizontal(cell)}`,
      `a ${a} on the ${horizontal(cell)}`,
      `a ${a} at the ${vertical(cell)}`,
      `there is a ${a} in the ${vertical(cell)} ${horizontal(cell)} corner`,
    ];
  }
  if (placed.length === 2) {
    const [ca, cb] = [placed[0].cell, placed[1].cell];
    if (cb - ca === 2) return [`a ${a} above a ${b}`, `a ${b} below a ${a}`, `a ${a} on top of a ${b}`];
    if (cb - ca === 1 && vertical(ca) === vertical(cb))
      return [`a ${a} to the left of a ${b}`, `a ${b} to the right of a ${a}`, `a ${a} next to a ${b}`];
    return [
      `a ${a} and a ${b}`,
      `a ${a} and a ${b} in opposite corners`,
      `a ${a} at the ${vertical(ca)} and a ${b} at the ${vertical(cb)}`,
    ];
  }
  // Three items: one column holds two (upper above lower), the other column one.
  const columns = [0, 1].map((col) => placed.filter((p) => p.cell % 2 === col));
  const pair = columns.find((col) => col.length === 2)!;
  const lone = columns.find((col) => col.length === 1)![0];
  return [
    `a ${phrase(pair[0])} above a ${phrase(pair[1])} with a ${phrase(lone)} on the ${horizontal(lone.cell)}`,
    `a ${a} , a ${b} and a ${c3}`,
    `three items : a ${a} , a ${b} and a ${c3}`,
  ];
}
