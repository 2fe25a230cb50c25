/**
 * What a training run that starts from a shipped checkpoint (`--init DIR`) records of it: the
 * checkpoint's manifest hash and training record go into the new manifest, and its training log
 * heads the new log, so a checkpoint's lineage can be read back to the first run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../lib/core/projectRoot';

/**
 * What the manifest says of the weights a run started from: its checkpoint's manifest hash and its
 * whole training record (which holds, in turn, the record of the run it started from, if any).
 */
export function initialWeightsRecord(dir: string): { dir: string; manifestSha256: string; training: unknown } {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return {
    dir: path.relative(projectRoot(), dir),
    manifestSha256: manifest.manifestSha256,
    training: manifest.training,
  };
}

/** The training log of the checkpoint a run starts from, headed by its folder: the new run's log follows it. */
export function initialTrainingLog(dir: string): string {
  const file = path.join(dir, 'training-log.txt');
  if (!fs.existsSync(file)) return '';
  const earlier = fs.readFileSync(file, 'utf8').replace(/\n*$/, '\n');
  return `# the run that made ${path.relative(projectRoot(), dir)} (this run's --init):\n${earlier}# this run:\n`;
}
