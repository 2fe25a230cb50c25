/**
 * What an executed notebook records about its run, in `nb.metadata.backprop_lab`: the mode,
 * the backend the notebook ended up on, when and from which commit it ran, and how long
 * each code cell took. Written by the notebook worker after every cell; read by the book.
 */
import { execFileSync } from 'child_process';
import { isQuickMode } from '../../lib/core/mode';
import type { Notebook } from './nbformat';

export const RUN_METADATA_KEY = 'backprop_lab';

export interface RunMetadata {
  /** Quick mode (BACKPROP_QUICK=1) or full mode. */
  mode: 'quick' | 'full';
  /**
   * The active backend with its details, e.g. `wasm (SIMD, 1 thread)`; null when the notebook never initialised one.
   */
  backend: string | null;
  /** When the run started, ISO 8601 UTC to the second. */
  date: string;
  /** Short git commit of the working tree the notebook ran from (null outside git); `dirty` when it had changes. */
  commit: string | null;
  dirty: boolean;
  /** Seconds per runnable code cell, in order (see `runnableCells`); null for a cell that did not finish. */
  cellSeconds: (number | null)[];
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  } catch {
    return null;
  }
}

/** The metadata of a run starting now in `cwd`, with `cells` code cells not yet run. */
export function startRunMetadata(cwd: string, cells: number): RunMetadata {
  const commit = git(['rev-parse', '--short', 'HEAD'], cwd);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no'], cwd);
  return {
    mode: isQuickMode() ? 'quick' : 'full',
    backend: null,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
    dirty: Boolean(status),
    cellSeconds: new Array<number | null>(cells).fill(null),
  };
}

const BACKEND_MODULE = /[\\/]dist[\\/]lib[\\/]backend[\\/]backend\.js$/;

/**
 * The backend that backprop-lab's `initBackend` chose in this process (the notebook loaded
 * the library through tslab), or null when no notebook cell initialised one. Looks at the
 * module already loaded, so it never loads tfjs itself.
 */
export function activeBackend(): string | null {
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!BACKEND_MODULE.test(file)) continue;
    const report = (
      mod?.exports as { backendReport?: () => { name: string; details: string } | null } | undefined
    )?.backendReport?.();
    if (report) return report.details ? `${report.name} (${report.details})` : report.name;
  }
  return null;
}

/** The run metadata of an executed notebook, or null when it has none (or a malformed one). */
export function readRunMetadata(nb: Notebook): RunMetadata | null {
  const m = nb.metadata[RUN_METADATA_KEY] as Partial<RunMetadata> | undefined;
  if (!m || typeof m !== 'object' || (m.mode !== 'quick' && m.mode !== 'full') || !Array.isArray(m.cellSeconds))
    return null;
  return {
    mode: m.mode,
    backend: typeof m.backend === 'string' ? m.backend : null,
    date: typeof m.date === 'string' ? m.date : '',
    commit: typeof m.commit === 'string' ? m.commit : null,
    dirty: m.dirty === true,
    cellSeconds: m.cellSeconds.map((s) => (typeof s === 'number' && Number.isFinite(s) ? s : null)),
  };
}
