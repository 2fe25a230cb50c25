/**
 * Runs one grading check in this process and prints its result as the last stdout line,
 * `COURSEWORK_RESULT {...}`. The grader starts one such process per item, with a time limit,
 * so a crash, an infinite loop or a module that does not load costs that item only.
 *
 *   node runItem.js CHECK_ID
 *   env COURSEWORK_MODULES    JSON file: exported name → compiled module of the student's lib
 *   env COURSEWORK_REFERENCE  the instructor's compiled lib entry (dist/lib/index.js)
 */
import * as fs from 'fs';
import { CheckFailure, CheckLog, Library } from './check';
import { CHECKS } from './index';

export interface ItemResult {
  /** `todo`: the function still throws its release stub's TODO error. */
  status: 'pass' | 'fail' | 'error' | 'todo';
  worst: number | null;
  message: string;
  comparisons: { what: string; error: number; tolerance: number }[];
}

/** The student's library, each export loaded on first use from the module that declares it. */
function studentLibrary(modulesFile: string): Library {
  const modules = JSON.parse(fs.readFileSync(modulesFile, 'utf8')) as Record<string, string>;
  return new Proxy({} as Library, {
    get(_, name: string) {
      const file = modules[name];
      if (!file) throw new CheckFailure(`the submission's lib does not export '${name}'`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const value = require(file)[name];
      if (value === undefined) throw new CheckFailure(`the submission's ${file} does not export '${name}'`);
      return value;
    },
  });
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e instanceof CheckFailure ? e.message : `${e.name}: ${e.message}`;
  return String(e);
}

export async function runCheck(id: string, student: Library, reference: Library): Promise<ItemResult> {
  const check = CHECKS[id];
  if (!check) throw new Error(`no grading check '${id}' (have: ${Object.keys(CHECKS).join(', ')})`);
  const log = new CheckLog();
  try {
    check(student, reference, log);
  } catch (e) {
    const message = errorMessage(e);
    return {
      status: /^Error: TODO: /.test(message) ? 'todo' : 'error',
      worst: log.comparisons.length ? log.worst : null,
      message,
      comparisons: log.comparisons,
    };
  }
  const failures = log.failures;
  const message =
    failures.length === 0
      ? ''
      : failures
          .slice(0, 3)
          .map((f) => `${f.what}: relative error ${f.error.toExponential(1)} > ${f.tolerance}`)
          .join('; ');
  return { status: failures.length === 0 ? 'pass' : 'fail', worst: log.worst, message, comparisons: log.comparisons };
}

async function main(): Promise<void> {
  const id = process.argv[2];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const reference = require(process.env.COURSEWORK_REFERENCE as string) as Library;
  await reference.initBackend({ quiet: true });
  const result = await runCheck(id, studentLibrary(process.env.COURSEWORK_MODULES as string), reference);
  process.stdout.write(`\nCOURSEWORK_RESULT ${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stdout.write(
      `\nCOURSEWORK_RESULT ` +
        `${JSON.stringify({ status: 'error', worst: null, message: errorMessage(e), comparisons: [] })}\n`,
    );
    process.exitCode = 1;
  });
}
