/**
 * What a generated caption of the fashion scenes says, checked against the scene itself
 * (notebook 04): which objects it names (colour + item), and whether its spatial statements
 * hold. The captions come from a small grammar (scripts/datasets/fashionScenes.ts); a
 * caption is read as a sequence of object mentions `<colour> <item>` in one of the
 * grammar's sentence forms, each form stating some spatial claims:
 *
 *   "a X in the top left" / "there is a X in the top left corner"  X is in that cell
 *   "a X on the left" · "a X at the top"                           X's column · X's row
 *   "a X above a Y" · "a X on top of a Y" · "a Y below a X"        X directly above Y
 *   "a X to the left of a Y" · "a Y to the right of a X"           same row, X left
 *   "a X next to a Y"                                              same row
 *   "a X and a Y in opposite corners"                              diagonal
 *   "a X at the top and a Y at the bottom"                         two rows
 *   "a X above a Y with a Z on the right"                          X over Y, Z in the other column
 *   "a X and a Y" · "(three items :) a X , a Y and a Z"            no position stated
 *
 * Cells: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right (row = ⌊cell/2⌋, column = cell mod 2).
 */
import { checkArgs } from '../../core/validate';
import type { SceneItem } from '../../data/fashionScenes';

/** One object a caption names; `colour`/`item` are null when that word is missing, `-1` positions likewise. */
export interface CaptionMention {
  colour: number | null;
  item: number | null;
  /** Token index of the colour word and of the item word in the caption (−1 when absent). */
  colourAt: number;
  itemAt: number;
}

/** A spatial statement about mentions (by index into `mentions`). */
export type SpatialClaim =
  | { kind: 'cell'; m: number; cell: number }
  | { kind: 'row'; m: number; row: number }
  | { kind: 'column'; m: number; column: number }
  | { kind: 'above'; upper: number; lower: number }
  | { kind: 'leftOf'; left: number; right: number }
  | { kind: 'sameRow'; a: number; b: number }
  | { kind: 'diagonal'; a: number; b: number };

/** A parsed caption; `claims` is null when the sentence is not one of the grammar's forms. */
export interface ParsedCaption {
  mentions: CaptionMention[];
  claims: SpatialClaim[] | null;
}

/** Names of the colours and items, in label order (as `loadFashionScenes` returns them). */
export interface SceneVocabulary {
  colourNames: readonly string[];
  itemNames: readonly string[];
}

const ROW: Record<string, number> = { top: 0, bottom: 1 };
/** Position words; 'top' is also an item, read as a position after 'the' or 'on' ("in the top left", "on top of"). */
const POSITION_WORDS = new Set(['top', 'bottom', 'left', 'right']);
const COLUMN: Record<string, number> = { left: 0, right: 1 };

/** Sentence forms over the skeleton (each mention replaced by X) → the claims they state. */
const FORMS: [RegExp, (g: string[]) => SpatialClaim[]][] = [
  [
    /^(?:there is )?a X in the (top|bottom) (left|right)(?: corner)?$/,
    (g) => [{ kind: 'cell', m: 0, cell: 2 * ROW[g[1]] + COLUMN[g[2]] }],
  ],
  [/^a X on the (left|right)$/, (g) => [{ kind: 'column', m: 0, column: COLUMN[g[1]] }]],
  [/^a X at the (top|bottom)$/, (g) => [{ kind: 'row', m: 0, row: ROW[g[1]] }]],
  [/^a X (?:above|on top of) a X$/, () => [{ kind: 'above', upper: 0, lower: 1 }]],
  [/^a X below a X$/, () => [{ kind: 'above', upper: 1, lower: 0 }]],
  [/^a X to the left of a X$/, () => [{ kind: 'leftOf', left: 0, right: 1 }]],
  [/^a X to the right of a X$/, () => [{ kind: 'leftOf', left: 1, right: 0 }]],
  [/^a X next to a X$/, () => [{ kind: 'sameRow', a: 0, b: 1 }]],
  [/^a X and a X in opposite corners$/, () => [{ kind: 'diagonal', a: 0, b: 1 }]],
  [
    /^a X at the (top|bottom) and a X at the (top|bottom)$/,
    (g) => [
      { kind: 'row', m: 0, row: ROW[g[1]] },
      { kind: 'row', m: 1, row: ROW[g[2]] },
    ],
  ],
  [
    /^a X above a X with a X on the (left|right)$/,
    (g) => [
      { kind: 'above', upper: 0, lower: 1 },
      { kind: 'column', m: 2, column: COLUMN[g[1]] },
      { kind: 'column', m: 0, column: 1 - COLUMN[g[1]] },
    ],
  ],
  [/^a X and a X$/, () => []],
  [/^(?:three items : )?a X , a X and a X$/, () => []],
];

/** Reads the mentions and spatial claims of one caption (lower-case tokens, without `<START>`/`<END>`). */
export function parseCaption(words: readonly string[], vocab: SceneVocabulary): ParsedCaption {
  checkArgs('parseCaption').require(Array.isArray(words), `argument 'words' expected string[] but got ${typeof words}`);
  const mentions: CaptionMention[] = [];
  const skeleton: string[] = [];
  for (let t = 0; t < words.length; t++) {
    const colour = vocab.colourNames.indexOf(words[t]);
    const itemHere = vocab.itemNames.indexOf(words[t]);
    if (colour >= 0) {
      const next = t + 1 < words.length ? vocab.itemNames.indexOf(words[t + 1]) : -1;
      mentions.push({ colour, item: next >= 0 ? next : null, colourAt: t, itemAt: next >= 0 ? t + 1 : -1 });
      if (next >= 0) t += 1;
      skeleton.push('X');
    } else if (itemHere >= 0 && !(POSITION_WORDS.has(words[t]) && (words[t - 1] === 'the' || words[t - 1] === 'on'))) {
      mentions.push({ colour: null, item: itemHere, colourAt: -1, itemAt: t });
      skeleton.push('X');
    } else {
      skeleton.push(words[t]);
    }
  }
  const sentence = skeleton.join(' ');
  for (const [form, claimsOf] of FORMS) {
    const g = form.exec(sentence);
    if (g) return { mentions, claims: claimsOf(g) };
  }
  return { mentions, claims: null };
}

function claimHolds(claim: SpatialClaim, cellOf: readonly number[]): boolean {
  const row = (m: number): number => Math.floor(cellOf[m] / 2);
  const col = (m: number): number => cellOf[m] % 2;
  switch (claim.kind) {
    case 'cell':
      return cellOf[claim.m] === claim.cell;
    case 'row':
      return row(claim.m) === claim.row;
    case 'column':
      return col(claim.m) === claim.column;
    case 'above':
      return col(claim.upper) === col(claim.lower) && row(claim.upper) === 0 && row(claim.lower) === 1;
    case 'leftOf':
      return row(claim.left) === row(claim.right) && col(claim.left) === 0 && col(claim.right) === 1;
    case 'sameRow':
      return row(claim.a) === row(claim.b) && col(claim.a) !== col(claim.b);
    case 'diagonal':
      return row(claim.a) !== row(claim.b) && col(claim.a) !== col(claim.b);
  }
}

/** Every one-to-one map of mentions onto scene objects with the same colour and item (as cells). */
function matchings(mentions: readonly CaptionMention[], scene: readonly SceneItem[]): number[][] {
  const out: number[][] = [];
  const used = new Array<boolean>(scene.length).fill(false);
  const cells: number[] = [];
  const visit = (m: number): void => {
    if (m === mentions.length) {
      out.push([...cells]);
      return;
    }
    scene.forEach((o, k) => {
      if (used[k] || o.colour !== mentions[m].colour || o.item !== mentions[m].item) return;
      used[k] = true;
      cells.push(o.cell);
      visit(m + 1);
      cells.pop();
      used[k] = false;
    });
  };
  visit(0);
  return out;
}

const sortedEqual = (a: (number | null)[], b: number[]): boolean =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/** The verdicts on one caption against its scene. */
export interface CaptionScore {
  /** The sentence is one of the grammar's forms. */
  parsed: boolean;
  /** As many objects named as the scene holds. */
  count: boolean;
  /** The multiset of items named equals the scene's (likewise colours, and colour–item pairs). */
  items: boolean;
  colours: boolean;
  objects: boolean;
  /** The caption states a position (a form with claims). */
  statesPosition: boolean;
  /** Objects right and every spatial claim true under some matching of mentions to objects; null if not judged. */
  position: boolean | null;
  /** Parsed, objects right, and (when it states positions) positions right. */
  correct: boolean;
  /** The scene cell each mention refers to (null when no scene object has its colour and item). */
  cellOf: (number | null)[];
}

/** Scores one caption (tokens) against its scene's objects. */
export function scoreCaption(
  words: readonly string[],
  scene: readonly SceneItem[],
  vocab: SceneVocabulary,
): CaptionScore {
  const { mentions, claims } = parseCaption(words, vocab);
  const objects = sortedEqual(
    mentions.map((m) => (m.colour === null || m.item === null ? null : m.colour * 100 + m.item)),
    scene.map((o) => o.colour * 100 + o.item),
  );
  const all = objects ? matchings(mentions, scene) : [];
  const good = claims === null ? undefined : all.find((cells) => claims.every((c) => claimHolds(c, cells)));
  const statesPosition = claims !== null && claims.length > 0;
  const position = objects && statesPosition ? good !== undefined : null;
  // Which cell each mention names: the matching that satisfies the claims, else any object with its colour and item.
  const cellOf = mentions.map(
    (m, k) => good?.[k] ?? scene.find((o) => o.colour === m.colour && o.item === m.item)?.cell ?? null,
  );
  return {
    parsed: claims !== null,
    count: mentions.length === scene.length,
    items: sortedEqual(
      mentions.map((m) => m.item),
      scene.map((o) => o.item),
    ),
    colours: sortedEqual(
      mentions.map((m) => m.colour),
      scene.map((o) => o.colour),
    ),
    objects,
    statesPosition,
    position,
    correct: claims !== null && objects && (!statesPosition || position === true),
    cellOf,
  };
}

/**
 * Fractions of captions right per attribute; `position` is over captions with the right objects that state a position.
 */
export interface CaptionAccuracy {
  captions: number;
  parsed: number;
  count: number;
  items: number;
  colours: number;
  objects: number;
  position: number;
  /** How many captions `position` is measured on. */
  positionJudged: number;
  correct: number;
}

/** Scores a set of captions against their scenes (same order) and averages each verdict. */
export function captionAccuracy(
  captions: readonly (readonly string[])[],
  scenes: readonly (readonly SceneItem[])[],
  vocab: SceneVocabulary,
): CaptionAccuracy {
  checkArgs('captionAccuracy').require(
    captions.length === scenes.length && captions.length > 0,
    `arguments 'captions' and 'scenes' expected the same non-zero ` +
      `length but got ${captions.length} and ${scenes.length}`,
  );
  const scores = captions.map((c, n) => scoreCaption(c, scenes[n], vocab));
  const frac = (pick: (s: CaptionScore) => boolean, of = scores): number =>
    of.length ? of.filter(pick).length / of.length : NaN;
  const judged = scores.filter((s) => s.position !== null);
  return {
    captions: scores.length,
    parsed: frac((s) => s.parsed),
    count: frac((s) => s.count),
    items: frac((s) => s.items),
    colours: frac((s) => s.colours),
    objects: frac((s) => s.objects),
    position: frac((s) => s.position === true, judged),
    positionJudged: judged.length,
    correct: frac((s) => s.correct),
  };
}

/** Attention mass on the cell a word names, averaged over the colour words and over the item words. */
export interface NamedCellAttention {
  /** Mean attention weight on the named cell while writing the colour word / the item word. */
  colourWords: number;
  itemWords: number;
  /** How many words each mean is over (mentions whose colour and item are in the scene). */
  colourCount: number;
  itemCount: number;
  /** What uniform attention would put on one cell: 1/4. */
  uniform: number;
}

/** Sum of a P×P attention map over the (P/2)×(P/2) block of scene cell `cell` (0 TL, 1 TR, 2 BL, 3 BR). */
export function attentionOnCell(map: readonly (readonly number[])[], cell: number): number {
  const P = map.length;
  checkArgs('attentionOnCell')
    .require(
      P % 2 === 0 && map.every((r) => r.length === P),
      `argument 'map' expected a square map of even side but got ${P}×${map[0]?.length}`,
    )
    .require(Number.isInteger(cell) && cell >= 0 && cell < 4, `argument 'cell' expected 0..3 but got ${cell}`);
  const half = P / 2;
  const [r0, c0] = [Math.floor(cell / 2) * half, (cell % 2) * half];
  let sum = 0;
  for (let r = r0; r < r0 + half; r++) for (let c = c0; c < c0 + half; c++) sum += map[r][c];
  return sum;
}

/**
 * How much attention the decoder puts on the cell an object is in while it writes that
 * object's colour word and item word. `attention[n][t]` is the map used to write word t of
 * caption n (as `CaptioningRNN.sample` returns it).
 */
export function attentionOnNamedCells(
  words: readonly (readonly string[])[],
  attention: readonly (readonly (readonly (readonly number[])[])[])[],
  scenes: readonly (readonly SceneItem[])[],
  vocab: SceneVocabulary,
): NamedCellAttention {
  checkArgs('attentionOnNamedCells').require(
    words.length === attention.length && words.length === scenes.length,
    `arguments 'words', 'attention' and 'scenes' expected the same length ` +
      `but got ${words.length}, ${attention.length} and ${scenes.length}`,
  );
  const colour: number[] = [];
  const item: number[] = [];
  words.forEach((w, n) => {
    const { mentions } = parseCaption(w, vocab);
    const { cellOf } = scoreCaption(w, scenes[n], vocab);
    mentions.forEach((m, k) => {
      const cell = cellOf[k];
      if (cell === null) return;
      if (m.colourAt >= 0) colour.push(attentionOnCell(attention[n][m.colourAt], cell));
      if (m.itemAt >= 0) item.push(attentionOnCell(attention[n][m.itemAt], cell));
    });
  });
  const mean = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  return {
    colourWords: mean(colour),
    itemWords: mean(item),
    colourCount: colour.length,
    itemCount: item.length,
    uniform: 0.25,
  };
}
