/**
 * Stopping a long training run cleanly. The training loop is synchronous, so a signal handler
 * would only run after it ends; instead the loop looks, after every step, for a file beside the
 * run's state folder (`touch <state>.STOP`; not inside it: each save replaces that folder). When
 * it appears the loop stops as if its time were up: the state is saved and the best checkpoint
 * rewritten with the whole record, so `--resume` continues from there. The file is removed when
 * it is seen.
 */
import * as fs from 'fs';
import * as path from 'path';

export function stopOnRequest(stateDir: string, say: (line: string) => void): () => boolean {
  const file = `${path.resolve(stateDir)}.STOP`;
  fs.rmSync(file, { force: true });
  say(`to stop cleanly (state and checkpoint saved): touch ${file}`);
  return () => {
    if (!fs.existsSync(file)) return false;
    fs.rmSync(file, { force: true });
    say(`${file} found: stopping after this step`);
    return true;
  };
}
