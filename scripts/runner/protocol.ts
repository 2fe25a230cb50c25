/** Messages the notebook worker sends to the runner over the fork IPC channel. */
import type { CellError } from './cellError';

export type WorkerMessage =
  /** The notebook was read; `total` code cells will run. */
  | { type: 'begin'; total: number }
  /** Cell `k` of `total` (1-based among code cells; `cellIndex` into nb.cells) started. */
  | { type: 'cell'; k: number; total: number; cellIndex: number; firstLine: string }
  /** Cell `k` finished with status ok after `seconds`. */
  | { type: 'cell-ok'; k: number; seconds: number }
  /** Cell `k` failed; the partial notebook (with the error output) is written. */
  | { type: 'cell-error'; k: number; cellIndex: number; firstLine: string; error: CellError }
  /** Every cell ran. */
  | { type: 'end' };
