/**
 * `npm run book [-- --out DIR] [--dir DIR]`
 *
 * Builds `<out>/book/` — one HTML page per executed notebook in `<out>/notebooks/` and an
 * index — without running any notebook (`npm run notebooks` runs them, then calls this).
 * Only notebooks that still have a source in `--dir` (default notebooks/) are included.
 * Maths KaTeX cannot render is listed (and marked in red on its page). Exit code 0; 2 on bad arguments.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { bookOptions, buildBook } from './book/build';
import { bookSummary } from './book/summary';

const ROOT = path.resolve(__dirname, '..', '..');

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { out: { type: 'string', default: 'out' }, dir: { type: 'string', default: 'notebooks' } },
    }));
  } catch (e) {
    process.stderr.write(`book: ${(e as Error).message}\nusage: book [--out DIR] [--dir DIR]\n`);
    return 2;
  }
  const result = buildBook(bookOptions(path.resolve(values.out), path.resolve(values.dir), path.join(ROOT, 'README.md')));
  process.stdout.write(bookSummary(result, process.cwd()).join('\n') + '\n');
  return 0;
}

process.exit(main());
