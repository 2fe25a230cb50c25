/**
 * What a run will take, and the order that finishes it soonest, from measured notebook times:
 * the last run of each notebook in the same mode on this machine (`<out>/runs.json`, written by
 * every run), else the times committed beside the notebooks (`<dir>/run-seconds.json`, written by
 * `run-notebooks --record-seconds`), so that a fresh clone, with no run of its own yet, also
 * starts its longest notebook first.
 *
 * Order: longest first (Graham's LPT rule). With J notebooks side by side, each free slot takes
 * the longest notebook left; its wall time is at most 4/3 − 1/(3J) of the best order's.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IndexEntry } from './indexPage';

export type RunMode = 'quick' | 'full';

/** The committed times, per mode, per notebook stem, in seconds. */
export type CommittedSeconds = Partial<Record<RunMode, Record<string, number>>>;

export const COMMITTED_SECONDS_FILE = 'run-seconds.json';

/** A notebook's measured time and where it was measured. */
export interface MeasuredTime {
  seconds: number;
  source: 'this machine' | 'committed';
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null; // absent or unreadable: no record (a run rewrites runs.json; the committed file is optional)
  }
}

/** Measured seconds of the `stems` that have a record in `mode`: this machine's runs first, then the committed file. */
export function measuredTimes(
  out: string,
  dir: string,
  stems: readonly string[],
  mode: RunMode,
): Map<string, MeasuredTime> {
  const runs = readJson(path.join(out, 'runs.json'));
  const local = Array.isArray(runs) ? (runs as IndexEntry[]) : [];
  const committed = ((readJson(path.join(dir, COMMITTED_SECONDS_FILE)) ?? {}) as CommittedSeconds)[mode] ?? {};
  const times = new Map<string, MeasuredTime>();
  for (const stem of stems) {
    const e = local.find((x) => x?.stem === stem && x.mode === mode);
    if (e && Number.isFinite(e.seconds)) times.set(stem, { seconds: e.seconds, source: 'this machine' });
    else if (Number.isFinite(committed[stem])) times.set(stem, { seconds: committed[stem], source: 'committed' });
  }
  return times;
}

/** Indices of `stems` in start order: unmeasured ones first (in filename order), then the measured, longest first. */
export function longestFirst(stems: readonly string[], times: ReadonlyMap<string, MeasuredTime>): number[] {
  const key = (k: number) => times.get(stems[k])?.seconds ?? Infinity;
  return stems.map((_, k) => k).sort((a, b) => key(b) - key(a) || a - b);
}

/** Wall seconds of running `seconds` (in start order) with `jobs` side by side, each free slot taking the next. */
export function listScheduleSeconds(seconds: readonly number[], jobs: number): number {
  const slots = new Array<number>(Math.max(1, Math.min(jobs, seconds.length))).fill(0);
  for (const s of seconds) {
    const free = slots.indexOf(Math.min(...slots));
    slots[free] += s;
  }
  return Math.max(0, ...slots);
}

/** The estimate line for `stems` run `jobs` at a time, or null when none has a measured time. */
export function runEstimate(
  stems: readonly string[],
  times: ReadonlyMap<string, MeasuredTime>,
  mode: RunMode,
  jobs: number,
): string | null {
  const known = stems.flatMap((stem) => {
    const t = times.get(stem);
    return t ? [{ stem, ...t }] : [];
  });
  if (known.length === 0) return null;
  const order = longestFirst(stems, times).flatMap((k) => (times.has(stems[k]) ? [times.get(stems[k])!.seconds] : []));
  const minutes = (s: number) => (s / 60).toFixed(1);
  const total = known.reduce((t, e) => t + e.seconds, 0);
  const slowest = known.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const local = known.filter((e) => e.source === 'this machine').length;
  const sources = [
    local > 0 ? `${local} on this machine` : '',
    known.length > local ? `${known.length - local} as committed` : '',
  ].filter(Boolean);
  const coverage = known.length === stems.length ? '' : ` for ${known.length} of the ${stems.length} notebooks`;
  return (
    `estimate${coverage}: ${minutes(listScheduleSeconds(order, jobs))} min wall, ${jobs} at a time ` +
    `(${minutes(total)} min of notebook time; last ${mode}-mode runs: ${sources.join(', ')}; ` +
    `slowest ${slowest.stem}, ${minutes(slowest.seconds)} min)`
  );
}

/** Writes this run's times (`entries` of one `mode`) into the committed file in `dir`, keeping the other records. */
export function recordSeconds(
  dir: string,
  entries: readonly Pick<IndexEntry, 'stem' | 'seconds'>[],
  mode: RunMode,
): string {
  const file = path.join(dir, COMMITTED_SECONDS_FILE);
  const all = (readJson(file) ?? {}) as CommittedSeconds;
  const merged = { ...all[mode] };
  for (const e of entries) merged[e.stem] = Math.round(e.seconds);
  all[mode] = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(file, JSON.stringify(all, null, 1) + '\n');
  return file;
}
