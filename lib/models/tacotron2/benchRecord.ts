/**
 * The committed result of `npm run bench -- tacotron --json benchmarks/tacotron-step.json`:
 * one Tacotron 2 training step (forward + backward, teacher forcing) timed by the autodiff
 * reference, the hand-written backward and the same model in PyTorch on one thread — medians
 * of interleaved rounds on one machine (scripts/bench-tacotron.ts). Notebook 06 shows it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../core/projectRoot';
import { DatasetError } from '../../data/datasetError';

/** One batch size's medians, in milliseconds. */
export interface TacotronBenchRow {
  batch: number;
  decoderSteps: number;
  autodiffMs: number;
  handMs: number;
  /** null where PyTorch was not available. */
  pytorchMs: number | null;
}

export interface TacotronBenchRecord {
  command: string;
  date: string;
  machine: string;
  tfjs: string;
  pytorch: string | null;
  reps: number;
  parameters: number;
  rows: TacotronBenchRow[];
}

/** Reads and checks the committed benchmark (default benchmarks/tacotron-step.json under the project root). */
export function loadTacotronBench(
  file = path.join(projectRoot(), 'benchmarks', 'tacotron-step.json'),
): TacotronBenchRecord {
  if (!fs.existsSync(file))
    throw new DatasetError(file, 'missing (make it with npm run bench -- tacotron --json FILE)');
  let r: TacotronBenchRecord;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8')) as TacotronBenchRecord;
  } catch (e) {
    throw new DatasetError(file, `wrong format: not JSON (${(e as Error).message})`);
  }
  const rowOk = (x: TacotronBenchRow): boolean =>
    [x?.batch, x?.decoderSteps, x?.autodiffMs, x?.handMs].every(Number.isFinite) &&
    (x.pytorchMs === null || Number.isFinite(x.pytorchMs));
  if (typeof r?.command !== 'string' || !Array.isArray(r.rows) || r.rows.length === 0 || !r.rows.every(rowOk))
    throw new DatasetError(file, 'wrong format: expected { command, date, machine, rows: [{ batch, …Ms }] }');
  return r;
}
