/**
 * flite's phones of a sentence (its `t2p` front end: the `slt` voice's CMU lexicon and
 * letter-to-sound rules — the pronunciation flite spoke the recording from), as one
 * space-separated string checked against the library's phone alphabet.
 */
import { spawnSync } from 'child_process';
import { phonesToIds } from '../../lib/data/speechText';

export const PHONES_NOTE =
  "Phones: each sentence as flite's own front end pronounces it (`t2p`, Debian package flite: the " +
  "`slt` voice's CMU lexicon and letter-to-sound rules), ARPAbet with `1` on primary-stressed vowels and " +
  '`pau` at pauses — the input symbols a synthesizer can be trained on instead of characters.';

/**
 * t2p's phones of normalised `text` ("pau m ih1 s …"); throws naming the text if t2p fails or
 * prints a phone outside the alphabet.
 */
export function flitePhones(text: string): string {
  const run = spawnSync('t2p', [text], { encoding: 'utf8' });
  if (run.error || run.status !== 0)
    throw new Error(`t2p failed on ${JSON.stringify(text)}: ${run.error?.message ?? run.stderr} (install flite)`);
  const phones = run.stdout.trim().split(/\s+/).join(' ');
  phonesToIds(phones);
  return phones;
}
