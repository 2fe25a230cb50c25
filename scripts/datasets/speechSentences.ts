/**
 * The sentences of the speech corpora: Jane Austen's six novels from Debian's
 * `r-cran-janeaustenr` (read with `Rscript`), cut into sentences, normalised with
 * `normaliseSpeechText`, and one seeded partition of the sentence pool into train / val /
 * test shared by both corpora (so no test sentence of either corpus is trained on by
 * anything built from the other), plus the out-of-domain hard set.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { Rng } from '../../lib';
import { normaliseSpeechText, numberToWords } from '../../lib/data/speechText';

export const TEXT_PACKAGE = 'r-cran-janeaustenr';
export const TEXT_SOURCE =
  "Jane Austen's six completed novels (Sense and Sensibility, Pride and Prejudice, Mansfield Park, Emma, " +
  'Northanger Abbey, Persuasion; Project Gutenberg texts, public domain) as packaged by ' +
  `Debian's ${TEXT_PACKAGE} (R package janeaustenr 1.0.0 by Julia Silge)`;
export const TEXT_LICENCE =
  'The novels are in the public domain; the janeaustenr packaging is MIT (Copyright 2016-2017 Julia Silge)';
export const TEXT_COPYRIGHT_FILE = `/usr/share/doc/${TEXT_PACKAGE}/copyright`;

const BOOKS = ['sensesensibility', 'prideprejudice', 'mansfieldpark', 'emma', 'northangerabbey', 'persuasion'] as const;

/** Shortest and longest normalised in-domain sentence (characters). */
export const MIN_CHARS = 20;
export const MAX_CHARS = 100;
/** Raw sentences with anything else (foreign scripts, £, footnote marks) are not used. */
const RAW_ALLOWED = /^[A-Za-z0-9 ,.;:!?'"_\-&()]+$/;

/** One normalised sentence with where it came from. */
export interface Sentence {
  text: string;
  book: string;
}

/** The lines of each novel, as `Rscript` prints them from the installed package. */
function readNovels(): Record<string, string[]> {
  if (!fs.existsSync(TEXT_COPYRIGHT_FILE)) {
    throw new Error(
      `${TEXT_PACKAGE} is not installed: apt-get install --no-install-recommends ${TEXT_PACKAGE} (brings Rscript)`,
    );
  }
  const out: Record<string, string[]> = {};
  for (const book of BOOKS) {
    const text = execFileSync('Rscript', ['--vanilla', '-e', `writeLines(janeaustenr::${book})`], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    out[book] = text.split('\n');
  }
  return out;
}

/**
 * Sentences of one novel: paragraphs are runs of non-empty lines (headings such as
 * "CHAPTER 1" dropped), cut after `.`, `!` or `?` (and a closing quote) when the next word
 * starts with a capital — except after Mr., Mrs., Dr. and St.
 */
function splitSentences(lines: string[]): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of [...lines, '']) {
    if (line.trim() === '') {
      if (current.length) paragraphs.push(current.join(' ').replace(/\s+/g, ' ').trim());
      current = [];
    } else {
      current.push(line.trim());
    }
  }
  const sentences: string[] = [];
  for (const p of paragraphs) {
    if (/^(chapter|volume)\b/i.test(p) || p === p.toUpperCase()) continue;
    const re = /(?<!\b(?:Mr|Mrs|Dr|St))([.!?]+["']*)\s+(?=["'_]*[A-Z])/g;
    let start = 0;
    for (const m of p.matchAll(re)) {
      const end = m.index! + m[1].length;
      sentences.push(p.slice(start, end));
      start = end + (m[0].length - m[1].length);
    }
    sentences.push(p.slice(start));
  }
  return sentences.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Every distinct normalised sentence of the novels whose raw text is plain English, in book order. */
export function readSentences(): Sentence[] {
  const novels = readNovels();
  const seen = new Set<string>();
  const out: Sentence[] = [];
  for (const book of BOOKS) {
    for (const raw of splitSentences(novels[book])) {
      if (!RAW_ALLOWED.test(raw)) continue;
      const text = normaliseSpeechText(raw);
      if (!/[a-z]/.test(text) || seen.has(text)) continue;
      seen.add(text);
      out.push({ text, book });
    }
  }
  return out;
}

/** In-domain sentences (MIN_CHARS..MAX_CHARS characters, ≥ 4 words) partitioned into train / val / test. */
export interface SentencePartition {
  train: Sentence[];
  val: Sentence[];
  test: Sentence[];
  /** Longer sentences (> MAX_CHARS): never in any training set; the hard set's long sentences come from here. */
  long: Sentence[];
}

export function partitionSentences(
  sentences: Sentence[],
  sizes: { val: number; test: number },
  rng: Rng,
): SentencePartition {
  const inDomain = sentences.filter(
    (s) => s.text.length >= MIN_CHARS && s.text.length <= MAX_CHARS && s.text.split(' ').length >= 4,
  );
  const order = rng.shuffle([...inDomain]);
  const long = rng.shuffle(sentences.filter((s) => s.text.length > MAX_CHARS));
  return {
    val: order.slice(0, sizes.val),
    test: order.slice(sizes.val, sizes.val + sizes.test),
    train: order.slice(sizes.val + sizes.test),
    long,
  };
}

export type HardCategory = 'letter' | 'spelling' | 'repeated-number' | 'long';
export interface HardSentence {
  text: string;
  category: HardCategory;
}

const SPELLED_WORDS = [
  'prejudice',
  'sensibility',
  'persuasion',
  'abbey',
  'mansfield',
  'netherfield',
  'pemberley',
  'elizabeth',
  'darcy',
  'bingley',
  'woodhouse',
  'knightley',
  'wentworth',
  'marianne',
  'willoughby',
  'catherine',
  'tilney',
  'bertram',
  'fortune',
  'neighbourhood',
  'civility',
  'amiable',
  'carriage',
  'ball',
  'letter',
  'quadrille',
  'curate',
  'estate',
  'sister',
  'engagement',
];
const REPEATED = [
  [0, 4],
  [1, 6],
  [2, 8],
  [3, 5],
  [4, 10],
  [5, 7],
  [6, 9],
  [7, 12],
  [8, 6],
  [9, 11],
  [10, 5],
  [11, 8],
  [12, 6],
  [13, 4],
  [17, 7],
  [20, 9],
  [30, 5],
  [45, 6],
  [99, 4],
  [100, 7],
] as const;

/**
 * The out-of-domain hard set (after the hard cases of FastSpeech used by the Tacotron
 * teacher–student paper): the 26 single letters; 30 words spelled letter by letter; 20
 * numbers repeated 4–12 times; and `longCount` long sentences (> MAX_CHARS characters,
 * chosen so their mean length is near `longMean`). None can occur in a training set: the
 * first three have no sentence form in the novels, the long ones exceed MAX_CHARS.
 */
export function hardSentences(long: Sentence[], longCount: number, longMean: number): HardSentence[] {
  const out: HardSentence[] = [];
  for (const letter of 'abcdefghijklmnopqrstuvwxyz') out.push({ text: letter, category: 'letter' });
  for (const word of SPELLED_WORDS) out.push({ text: [...word].join(' '), category: 'spelling' });
  for (const [n, times] of REPEATED)
    out.push({ text: Array(times).fill(numberToWords(n)).join(' '), category: 'repeated-number' });
  // Greedy: take long sentences in (seeded) order, keeping each one that moves the running mean towards longMean.
  const chosen: Sentence[] = [];
  let sum = 0;
  for (const s of long) {
    if (chosen.length === longCount) break;
    const mean = chosen.length ? sum / chosen.length : longMean;
    if (s.text.length > 2 * MAX_CHARS) continue;
    if (mean < longMean === s.text.length >= longMean || chosen.length === 0) {
      chosen.push(s);
      sum += s.text.length;
    }
  }
  if (chosen.length < longCount) throw new Error(`only ${chosen.length} long sentences, need ${longCount}`);
  for (const s of chosen) out.push({ text: s.text, category: 'long' });
  return out;
}
