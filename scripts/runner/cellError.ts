/**
 * Builds an nbformat `error` output from what tslab's executor reported for a failed cell:
 * either TypeScript diagnostics (`3:7 - Type 'string' is not assignable…`; the cell never
 * ran) or a runtime error printed with its stack.
 */
export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** One `console.error` call of tslab's executor: its formatted text and the thrown value, if any. */
export interface ErrorReport {
  text: string;
  thrown?: unknown;
}

export const TS_COMPILE_ERROR = 'TypeScriptCompileError';

/** Stack frames of the kernel machinery under the cell (vm, tslab, tfjs, this worker, Node): noise for a reader. */
const KERNEL_FRAME =
  /^\s+at .*(node:vm|node:internal|[\\/]tslab[\\/]dist[\\/]|[\\/]tfjs-core[\\/]src[\\/]|notebook-worker\.js)/;

export function buildCellError(reports: ErrorReport[], compileFailed: boolean): CellError {
  const lines = reports
    .map((r) => r.text)
    .join('\n')
    .replace(/\s+$/, '')
    .split('\n');
  if (compileFailed) {
    const n = lines.filter((l) => /^(\S+ )?\d+:\d+ - /.test(l)).length || lines.length;
    return {
      ename: TS_COMPILE_ERROR,
      evalue: `${n} TypeScript error${n === 1 ? '' : 's'}; the cell did not run`,
      traceback: lines,
    };
  }
  const traceback = lines.filter((l) => !KERNEL_FRAME.test(l));
  const thrown = reports.find((r) => r.thrown !== undefined)?.thrown;
  if (thrown instanceof Error) return { ename: thrown.name, evalue: thrown.message, traceback };
  if (thrown !== undefined) return { ename: 'Error', evalue: String(thrown), traceback };
  if (traceback.every((l) => l.trim() === '')) {
    return { ename: 'Error', evalue: 'the cell failed without printing an error', traceback: [] };
  }
  return { ename: 'Error', evalue: traceback.find((l) => l.trim() !== '') ?? '', traceback };
}
