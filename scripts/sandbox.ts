/**
 * How the grader confines a process that runs a submission's code (a grading item's student
 * process or test worker, a graded notebook's kernel): Node's permission model
 * (`--experimental-permission`: file reads only under `readable`, writes only under
 * `writable`, no child processes, no worker threads, no native addons) and a V8 heap limit;
 * `groupRssMb` measures a whole process group so runLimited can also stop memory that lives
 * outside the heap (typed arrays, wasm).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface SandboxPaths {
  /** Folders (or files) the process may read; symlinks are resolved. */
  readable: string[];
  /** Folders it may write (and read). */
  writable: string[];
}

export function sandboxFlags(paths: SandboxPaths, heapMb: number): string[] {
  const real = (p: string): string => (fs.existsSync(p) ? fs.realpathSync(p) : p);
  const read = [...new Set([...paths.readable, ...paths.writable].map(real))];
  return [
    '--experimental-permission',
    ...read.map((p) => `--allow-fs-read=${p}`),
    ...paths.writable.map((p) => `--allow-fs-write=${real(p)}`),
    `--max-old-space-size=${heapMb}`,
    '--no-warnings=ExperimentalWarning',
  ];
}

/** The node_modules folder this project's packages really live in (the grading copies link to it). */
export function realNodeModules(): string {
  return path.dirname(path.dirname(fs.realpathSync(require.resolve('tslab/package.json'))));
}

/**
 * Flags for a notebook kernel run by the grader: it reads the project (`projectDir`, its
 * node_modules and datasets), writes only under `out`.
 */
export function kernelSandboxFlags(projectDir: string, out: string, heapMb: number): string[] {
  return sandboxFlags(
    { readable: [projectDir, realNodeModules(), path.join(projectDir, 'datasets')], writable: [out] },
    heapMb,
  );
}

/** Resident memory of every process in group `pgid`, in MB (Linux /proc; 0 where unavailable). */
export function groupRssMb(pgid: number): number {
  let pages = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid pgrp … rss is field 24 overall.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) pages += Number(fields[21]);
    } catch {
      // the process ended while we looked
    }
  }
  return (pages * 4096) / 2 ** 20;
}
