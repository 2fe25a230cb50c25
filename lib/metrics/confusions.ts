/**
 * What a recognizer gets wrong, character by character: over the Levenshtein alignments of
 * every (reference, hypothesis) pair (alignEdits), the most frequent substitutions ref → hyp,
 * and the characters most often deleted (in the reference, missing from the hypothesis) and
 * inserted. Spaces are shown as '␣'.
 */
import { checkArgs } from '../core/validate';
import { alignEdits } from './editDistance';

export interface ConfusionCount {
  /** 'a→e' for a substitution, the character for a deletion or insertion. */
  edit: string;
  count: number;
  /** count / the reference characters over all pairs. */
  share: number;
}

export interface ConfusionSummary {
  substitutions: ConfusionCount[];
  deletions: ConfusionCount[];
  insertions: ConfusionCount[];
  referenceCharacters: number;
}

const show = (c: string | undefined): string => (c === ' ' ? '␣' : (c ?? ''));

/** The `top` most frequent edits of each kind, most frequent first (ties in character order). */
export function confusionSummary(refs: readonly string[], hyps: readonly string[], top = 8): ConfusionSummary {
  checkArgs('confusionSummary')
    .require(
      Array.isArray(refs) && Array.isArray(hyps) && refs.length === hyps.length,
      `arguments 'refs' and 'hyps' expected arrays of the same length but got ${refs?.length} and ${hyps?.length}`,
    )
    .number('top', top, { integer: true, min: 1 });
  const counts = {
    substitution: new Map<string, number>(),
    deletion: new Map<string, number>(),
    insertion: new Map<string, number>(),
  };
  let total = 0;
  refs.forEach((ref, n) => {
    total += [...ref].length;
    for (const s of alignEdits<string>(ref, hyps[n]).steps) {
      if (s.op === 'match') continue;
      const key = s.op === 'substitution' ? `${show(s.ref)}→${show(s.hyp)}` : show(s.op === 'deletion' ? s.ref : s.hyp);
      counts[s.op].set(key, (counts[s.op].get(key) ?? 0) + 1);
    }
  });
  const ranked = (m: Map<string, number>): ConfusionCount[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, top)
      .map(([edit, count]) => ({ edit, count, share: total > 0 ? count / total : 0 }));
  return {
    substitutions: ranked(counts.substitution),
    deletions: ranked(counts.deletion),
    insertions: ranked(counts.insertion),
    referenceCharacters: total,
  };
}
