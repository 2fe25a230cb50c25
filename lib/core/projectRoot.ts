/**
 * The backprop-lab project root: the nearest folder above this module whose package.json is
 * backprop-lab's. Found from the module's own location, not the working directory, so it is the
 * same under vitest (`lib/`), in notebooks (`dist/lib/`, kernel running in `notebooks/`) and in
 * an installed copy. Datasets, shipped checkpoints and run outputs are all found from here.
 */
import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

export function projectRoot(): string {
  if (cached !== undefined) return cached;
  for (let here = __dirname; ; here = path.dirname(here)) {
    const pkg = path.join(here, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'backprop-lab') {
      cached = here;
      return here;
    }
    if (path.dirname(here) === here)
      throw new Error(`projectRoot: no backprop-lab package.json in any folder above ${__dirname}`);
  }
}
