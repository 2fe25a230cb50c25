/**
 * Caption vocabulary: words ↔ integer ids with the four special tokens of CS231n's
 * captioning assignment — `<NULL>` = 0 (padding), `<START>`, `<END>`, `<UNK>` — and
 * encoding/decoding of whole captions.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export const NULL_TOKEN = '<NULL>';
export const START_TOKEN = '<START>';
export const END_TOKEN = '<END>';
export const UNK_TOKEN = '<UNK>';
export const SPECIAL_TOKENS: readonly string[] = [NULL_TOKEN, START_TOKEN, END_TOKEN, UNK_TOKEN];

/** Lower-cased whitespace tokens of a caption. */
export function tokenizeCaption(text: string): string[] {
  return text
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/** A vocabulary: the special tokens, then the sorted distinct words of `captions`. */
export function buildVocab(captions: readonly string[]): { wordToIdx: Record<string, number>; idxToWord: string[] } {
  const words = new Set<string>();
  for (const c of captions) for (const w of tokenizeCaption(c)) words.add(w);
  const idxToWord = [...SPECIAL_TOKENS, ...[...words].filter((w) => !SPECIAL_TOKENS.includes(w)).sort()];
  const wordToIdx: Record<string, number> = {};
  idxToWord.forEach((w, i) => (wordToIdx[w] = i));
  return { wordToIdx, idxToWord };
}

/**
 * Encodes captions as `[N, L]` ids: `<START> w1 … wk <END>` then `<NULL>` padding;
 * unknown words become `<UNK>`. Throws if a caption needs more than `L` tokens.
 */
export function encodeCaptions(
  captions: readonly string[],
  wordToIdx: Record<string, number>,
  length: number,
): Int32Array {
  checkArgs('encodeCaptions').number('length', length, { integer: true, min: 2 });
  const out = new Int32Array(captions.length * length); // zeros = <NULL>
  captions.forEach((c, n) => {
    const ids = [
      wordToIdx[START_TOKEN],
      ...tokenizeCaption(c).map((w) => wordToIdx[w] ?? wordToIdx[UNK_TOKEN]),
      wordToIdx[END_TOKEN],
    ];
    checkArgs('encodeCaptions').require(
      ids.length <= length,
      `caption ${n} ("${c}") needs ${ids.length} tokens but length is ${length}`,
    );
    out.set(ids, n * length);
  });
  return out;
}

/**
 * Turns id sequences (`[N, L]` numbers or an int32 tensor) back into text: stops at the
 * first `<END>` and drops `<NULL>` and `<START>`.
 */
export function decodeCaptions(idx: number[][] | tf.Tensor, idxToWord: readonly string[]): string[] {
  let rows: number[][];
  if (idx instanceof tf.Tensor) {
    checkArgs('decodeCaptions').tensor('idx', idx, ['N', 'L'], ['int32', 'float32']);
    rows = idx.arraySync() as number[][];
  } else {
    checkArgs('decodeCaptions').require(
      Array.isArray(idx) && idx.every((r) => Array.isArray(r)),
      'idx must be number[][] or an [N, L] tensor',
    );
    rows = idx;
  }
  return rows.map((row) => {
    const words: string[] = [];
    for (const id of row) {
      const w = idxToWord[id] ?? UNK_TOKEN;
      if (w === END_TOKEN) break;
      if (w !== NULL_TOKEN && w !== START_TOKEN) words.push(w);
    }
    return words.join(' ');
  });
}
