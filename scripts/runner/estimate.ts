/**
 * What a run will take, from the last recorded run of the same notebooks in the same mode
 * (`<out>/runs.json`, written by every run): printed before the run starts.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IndexEntry } from './indexPage';

/** The estimate line for `stems` in `mode`, or null when no selected notebook has a record in that mode. */
export function runEstimate(out: string, stems: readonly string[], mode: 'quick' | 'full'): string | null {
  const file = path.join(out, 'runs.json');
  let entries: IndexEntry[] = [];
  try {
    entries = JSON.parse(fs.readFileSync(file, 'utf8')) as IndexEntry[];
  } catch {
    return null; // no record yet (or an unreadable one, which the run rewrites)
  }
  const known = stems.flatMap((s) => {
    const e = Array.isArray(entries) ? entries.find((x) => x?.stem === s && x.mode === mode) : undefined;
    return e && Number.isFinite(e.seconds) ? [e] : [];
  });
  if (known.length === 0) return null;
  const minutes = known.reduce((t, e) => t + e.seconds, 0) / 60;
  const slowest = known.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const coverage = known.length === stems.length ? '' : ` for ${known.length} of the ${stems.length} notebooks`;
  return (
    `estimate${coverage}: ${minutes.toFixed(1)} min, as their last ${mode}-mode run on this machine ` +
    `(slowest ${slowest.stem}, ${(slowest.seconds / 60).toFixed(1)} min)`
  );
}
