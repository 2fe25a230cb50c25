/**
 * `npm run book [-- --out DIR] [--dir DIR]`
 *
 * Builds `<out>/book/` — one HTML page per executed notebook in `<out>/notebooks/` and an
 * index — without running any notebook (`npm run notebooks` runs them, then calls this).
 * Only notebooks that still have a source in `--dir` (default notebooks/) are included.
 * Maths KaTeX cannot render is listed (and marked in red on its page). Exit code 0; 2 on bad arguments.
 * `--help` prints the usage.
 */
import * as path from 'path';
import { parseCommandLine, UsageError } from './cliArgs';
import { bookOptions, buildBook } from './book/build';
import { bookSummary } from './book/summary';

const ROOT = path.resolve(__dirname, '..', '..');
const USAGE = 'usage: book [--out DIR] [--dir DIR]';

function main(): number {
  let values;
  try {
    ({ values } = parseCommandLine('book', process.argv.slice(2), {
      out: { type: 'string', default: 'out', expects: 'a directory' },
      dir: { type: 'string', default: 'notebooks', expects: 'a directory' },
      help: { type: 'boolean', short: 'h' },
    }));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const result = buildBook(
    bookOptions(path.resolve(values.out), path.resolve(values.dir), path.join(ROOT, 'README.md')),
  );
  process.stdout.write(bookSummary(result, process.cwd()).join('\n') + '\n');
  return 0;
}

process.exit(main());
