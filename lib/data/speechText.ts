/**
 * The text side of the speech corpora (`datasets/speech-single`, `datasets/speech-speakers`):
 * how raw English is normalised before it is spoken, and the character alphabets models use.
 *
 * Normalised text is lower-case ASCII letters, space, the apostrophe (only inside a word:
 * "don't", "o'clock") and the four punctuation marks `, . ? !` — numbers are spelled out
 * ("1811" → "one thousand eight hundred and eleven"), abbreviations expanded ("Mr." →
 * "mister"), dashes, colons and semicolons become commas, quotes and brackets are dropped.
 *
 * Two alphabets index it, both with id 0 reserved (the CTC blank, or padding):
 * - `'characters'` (28 symbols + blank): space, apostrophe, a–z — what a recognizer can hear;
 *   {@link textToIds} drops the punctuation for it.
 * - `'punctuated'` (32 symbols + blank): the same plus `, . ? !` — what a synthesizer reads
 *   (punctuation carries pauses and intonation).
 *
 * speech-single also carries each sentence as flite's phones (its `t2p` front end: the `slt`
 * voice's CMU lexicon and letter-to-sound rules, the pronunciation the recording was made from):
 * ARPAbet, a vowel marked `1` when it carries the word's primary stress, `pau` at pauses.
 * {@link PHONE_ALPHABET} indexes them, id 0 again the padding.
 */
import { checkArgs } from '../core/validate';

export type SpeechAlphabetKind = 'characters' | 'punctuated';

/** Id 0 of every speech alphabet: the CTC blank / padding symbol. */
export const SPEECH_BLANK = '_';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const PUNCTUATION = ',.?!';

/** The symbols of an alphabet, indexed by id: `[SPEECH_BLANK, ' ', "'", 'a', …, 'z'(, ',', '.', '?', '!')]`. */
export function speechAlphabet(kind: SpeechAlphabetKind = 'characters'): string[] {
  checkArgs('speechAlphabet').require(
    kind === 'characters' || kind === 'punctuated',
    `kind must be 'characters' or 'punctuated', got ${String(kind)}`,
  );
  return [SPEECH_BLANK, ' ', "'", ...LETTERS, ...(kind === 'punctuated' ? PUNCTUATION : '')];
}

/** Text with the punctuation removed and spaces collapsed: what the `'characters'` alphabet spells. */
export function stripPunctuation(text: string): string {
  return text
    .replace(/[,.?!]/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
}

const VOWELS = ['aa', 'ae', 'ah', 'ao', 'aw', 'ax', 'ay', 'eh', 'er', 'ey', 'ih', 'iy', 'ow', 'oy', 'uh', 'uw'];
const CONSONANTS = 'b ch d dh f g hh jh k l m n ng p r s sh t th v w y z zh'.split(' ');

/** flite's phones by id: padding, `pau`, each vowel unstressed and stressed (`aa`, `aa1`, …), the consonants. */
export const PHONE_ALPHABET: readonly string[] = [
  SPEECH_BLANK,
  'pau',
  ...VOWELS.flatMap((v) => [v, `${v}1`]),
  ...CONSONANTS,
];

/** Ids (1..V-1) of a space-separated phone string; throws naming a phone outside {@link PHONE_ALPHABET}. */
export function phonesToIds(phones: string): number[] {
  const check = checkArgs('phonesToIds');
  check.require(typeof phones === 'string', `argument 'phones' expected a string but got ${typeof phones}`);
  const tokens = phones.trim().split(/\s+/).filter(Boolean);
  check.require(tokens.length > 0, "argument 'phones' expected at least one phone");
  return tokens.map((p, i) => {
    const id = PHONE_ALPHABET.indexOf(p);
    check.require(id > 0, `argument 'phones' has ${JSON.stringify(p)} at position ${i}, not a phone of flite's set`);
    return id;
  });
}

/**
 * Ids (1..V-1) of normalised `text` in alphabet `kind`; with `'characters'` punctuation is
 * dropped first. Throws naming the character and its position for anything else (so
 * un-normalised text fails here, not as a wrong label later).
 */
export function textToIds(text: string, kind: SpeechAlphabetKind = 'characters'): number[] {
  const check = checkArgs('textToIds');
  check.require(typeof text === 'string', `argument 'text' expected a string but got ${typeof text}`);
  const symbols = speechAlphabet(kind);
  const source = kind === 'characters' ? stripPunctuation(text) : text;
  return [...source].map((ch, i) => {
    const id = symbols.indexOf(ch);
    check.require(
      id > 0,
      `argument 'text' has ${JSON.stringify(ch)} at position ${i}, not in the '${kind}' ` +
        `alphabet (normalise it with normaliseSpeechText): ${JSON.stringify(text)}`,
    );
    return id;
  });
}

/** The text of ids in alphabet `kind` (blanks, id 0, are skipped). */
export function idsToText(ids: ArrayLike<number>, kind: SpeechAlphabetKind = 'characters'): string {
  const symbols = speechAlphabet(kind);
  let out = '';
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    checkArgs('idsToText').require(
      Number.isInteger(id) && id >= 0 && id < symbols.length,
      `id ${i} is ${id}, outside [0, ${symbols.length})`,
    );
    if (id !== 0) out += symbols[id];
  }
  return out;
}

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [number, string][] = [
  [1e9, 'billion'],
  [1e6, 'million'],
  [1e3, 'thousand'],
];

/** British cardinal words of a whole number 0 ≤ n < 10¹²: 1811 → "one thousand eight hundred and eleven". */
export function numberToWords(n: number): string {
  checkArgs('numberToWords').number('n', n, { integer: true, min: 0, max: 1e12 - 1 });
  if (n < 20) return ONES[n];
  if (n < 100) return TENS[Math.floor(n / 10)] + (n % 10 ? ` ${ONES[n % 10]}` : '');
  if (n < 1000) return `${ONES[Math.floor(n / 100)]} hundred` + (n % 100 ? ` and ${numberToWords(n % 100)}` : '');
  for (const [size, name] of SCALES) {
    if (n >= size) {
      const rest = n % size;
      return (
        `${numberToWords(Math.floor(n / size))} ${name}` +
        (rest === 0 ? '' : rest < 100 ? ` and ${numberToWords(rest)}` : ` ${numberToWords(rest)}`)
      );
    }
  }
  throw new Error('unreachable');
}

const ORDINAL_IRREGULAR: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** Ordinal words: 21 → "twenty first". */
export function ordinalToWords(n: number): string {
  const words = numberToWords(n).split(' ');
  const last = words[words.length - 1];
  words[words.length - 1] = ORDINAL_IRREGULAR[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return words.join(' ');
}

const ABBREVIATIONS: [RegExp, string][] = [
  [/\bMrs\.?(?=\s|$)/g, 'missus'],
  [/\bMr\.?(?=\s|$)/g, 'mister'],
  [/\bDr\.(?=\s|$)/g, 'doctor'],
  [/\bSt\.(?=\s|$)/g, 'saint'],
  [/\bEsq\.?(?=\s|,|$)/g, 'esquire'],
];

/**
 * Normalises raw English for speaking (see the module comment for the alphabet). Letters
 * lose their accents (é → e); characters with no spoken form in the alphabet are dropped.
 */
export function normaliseSpeechText(raw: string): string {
  checkArgs('normaliseSpeechText').require(
    typeof raw === 'string',
    `argument 'raw' expected a string but got ${typeof raw}`,
  );
  let t = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  t = t
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '--');
  for (const [pattern, word] of ABBREVIATIONS) t = t.replace(pattern, word);
  t = t.replace(/&/g, ' and ');
  t = t.replace(/(\d),(\d{3})\b/g, '$1$2');
  t = t.replace(/(\d+)(st|nd|rd|th)\b/gi, (_, d: string) => ` ${ordinalToWords(Number(d))} `);
  t = t.replace(/\d+/g, (d) => ` ${numberToWords(Number(d))} `);
  t = t.toLowerCase();
  t = t.replace(/--+|[;:]/g, ', ');
  t = t.replace(/-/g, ' ');
  t = t.replace(/(^|[^a-z])'+|'+(?=[^a-z]|$)/g, '$1'); // apostrophes only inside words
  t = t.replace(/[^a-z' ,.?!]/g, ' ');
  t = t.replace(/\s+/g, ' ');
  t = t.replace(/ ([,.?!])/g, '$1').replace(/([,.?!])(?=[a-z])/g, '$1 ');
  t = t
    .replace(/([,.?!])[,.?!]*(?=[.?!])/g, '')
    .replace(/,+/g, ',')
    .replace(/([.?!])[,.?!]+/g, '$1');
  t = t.replace(/^[ ,.?!]+/, '').trim();
  return t;
}
