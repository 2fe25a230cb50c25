/**
 * The tables of notebook 07 built from measured results: per-seed accuracy rows of the
 * Proposed / nM / HC comparison (on the seen or the unseen test combinations; their
 * intervals and paired comparisons are in `pairedAccuracy.ts`), the cost rows of profiled
 * models, and the dataset summary rows that the danfojs counts group.
 *
 *   accuracy of category k = (1/|S|) Σ_{n∈S} [ŷ_k(n) = y_k(n)]
 *   pair accuracy          = (1/|S|) Σ_{n∈S} Π_k [ŷ_k(n) = y_k(n)]   (every category right)
 *
 * over the test examples S whose combination was seen (or not seen) in training.
 */
import { checkArgs } from '../../core/validate';
import { countBy } from '../../experiments/datasetSummary';
import type { ModelProfile } from '../../metrics/modelProfile';
import type { ApproachRun, LabelArrays } from './comparison';

/** A table row: column name → number or text. */
export type Row = Record<string, string | number>;

/** Accuracy (%) per category and of all at once ('pair' for two), on the masked examples. */
export function maskedAccuracies(
  pred: LabelArrays,
  truth: LabelArrays,
  mask: readonly boolean[],
): Record<string, number> {
  const cats = Object.keys(truth);
  const c = checkArgs('maskedAccuracies');
  for (const k of cats) {
    c.require(
      pred[k]?.length === mask.length && truth[k].length === mask.length,
      `pred.${k} and truth.${k} must have ${mask.length} entries (one per mask entry)`,
    );
  }
  const idx = mask.flatMap((m, n) => (m ? [n] : []));
  c.require(idx.length > 0, 'the mask selects no example');
  const pct = (hits: number): number => (100 * hits) / idx.length;
  const out: Record<string, number> = {};
  for (const k of cats) out[k] = pct(idx.filter((n) => pred[k][n] === truth[k][n]).length);
  const allRight = idx.filter((n) => cats.every((k) => pred[k][n] === truth[k][n]));
  out[cats.length === 2 ? 'pair' : 'all'] = pct(allRight.length);
  return out;
}

/**
 * One row per approach of one run: accuracies (%) on the examples with `seen[n] === seen`,
 * and, on seen combinations, the test loss of each category's head and HC's joint loss
 * (NaN in the columns an approach does not have, so that every row has the same columns).
 */
export function accuracyRows(
  runs: Record<string, ApproachRun>,
  truth: LabelArrays,
  seen: readonly boolean[],
  which: 'seen' | 'unseen',
): Row[] {
  const mask = seen.map((s) => s === (which === 'seen'));
  const cats = Object.keys(truth);
  return Object.entries(runs).map(([approach, r]) => {
    const acc = maskedAccuracies(r.predictions, truth, mask);
    const row: Row = { approach };
    for (const [k, v] of Object.entries(acc)) row[`${k} acc (%)`] = v;
    if (which === 'seen') {
      const joint = r.seenLoss.length === 1 && cats.length > 1;
      cats.forEach((k, i) => {
        row[`${k} loss`] = joint ? NaN : r.seenLoss[i];
      });
      row['joint loss'] = joint ? r.seenLoss[0] : NaN;
    }
    return row;
  });
}

/** Per-seed rows `{ approach, seed, …metrics }` from the per-run rows of every seed. */
export function perSeedRows(runs: readonly { seed: number; rows: Row[] }[]): Row[] {
  return runs.flatMap(({ seed, rows }) => rows.map((r) => ({ approach: r.approach, seed, ...r })));
}

/** Cost columns of a profile: serialized size, parameters, MACCs (all; trained), latency. */
export function costRow(p: ModelProfile): Record<string, number> {
  return {
    'size (KB)': p.bytes / 1024,
    parameters: p.params,
    MACCs: p.maccs,
    'trained-layer MACCs': p.trainedLayerMaccs,
    'latency (ms)': p.latencyMs,
  };
}

/** One record per example of a labelled split, with class names: the rows danfojs groups. */
export function labelRecords(
  split: string,
  labels: LabelArrays,
  names: Record<string, string[]>,
  seen?: readonly boolean[],
): Record<string, string>[] {
  const cats = Object.keys(labels);
  const n = labels[cats[0]].length;
  return Array.from({ length: n }, (_, i) => ({
    split,
    ...Object.fromEntries(cats.map((k) => [k, names[k][labels[k][i]]])),
    ...(seen ? { combination: seen[i] ? 'seen' : 'unseen' } : { combination: 'seen' }),
  }));
}

/**
 * Examples per class of `column` (rows, in order of first appearance) and per value of `by`
 * (columns, e.g. split), counted with danfojs's groupby ({@link countBy}); 0 where none.
 */
export function countTable(records: readonly Record<string, string>[], column: string, by = 'split'): Row[] {
  const counts = countBy(records, [column, by]);
  const at = (name: string): number => counts.columns.indexOf(name);
  const values = counts.values as unknown[][];
  const keys = [...new Set(values.map((v) => String(v[at(column)])))];
  const groups = [...new Set(records.map((r) => r[by]))];
  return keys.map((k) => ({
    [column]: k,
    ...Object.fromEntries(
      groups.map((g) => {
        const hit = values.find((v) => v[at(column)] === k && v[at(by)] === g);
        return [g, hit ? (hit[at('count')] as number) : 0];
      }),
    ),
  }));
}
