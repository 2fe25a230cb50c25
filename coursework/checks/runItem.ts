/**
 * The check process of one grading item. It loads the instructor's reference library, starts
 * the submission's code in a sandboxed process of its own (remoteStudent.ts), runs the check
 * and sends the result to the grader over the IPC channel, echoing the nonce the grader sent
 * first. It never loads the submission's code, and the grader never reads its stdout, so
 * nothing a submission prints or does can change a result.
 *
 *   node runItem.js CHECK_ID          (started by the grader with an IPC channel)
 *   env COURSEWORK_REFERENCE  the instructor's compiled lib entry (dist/lib/index.js)
 *   env COURSEWORK_STUDENT    JSON StudentHostSpec: the sandboxed student process to start
 *   IPC ← { type: 'nonce', nonce }   → { type: 'result', nonce, result: ItemResult }
 */
import { CheckFailure, CheckLog, Library } from './check';
import { CHECKS } from './index';
import { startStudentHost, StudentHostSpec } from './remoteStudent';
import { StudentLibrary } from './studentLibrary';

export interface ItemResult {
  /** `todo`: the function still throws its release stub's TODO error. */
  status: 'pass' | 'fail' | 'error' | 'todo';
  worst: number | null;
  message: string;
  comparisons: { what: string; error: number; tolerance: number }[];
}

export interface ResultMessage {
  type: 'result';
  nonce: string;
  result: ItemResult;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e instanceof CheckFailure ? e.message : `${e.name}: ${e.message}`;
  return String(e);
}

export async function runCheck(id: string, student: StudentLibrary, reference: Library): Promise<ItemResult> {
  const check = CHECKS[id];
  if (!check) throw new Error(`no grading check '${id}' (have: ${Object.keys(CHECKS).join(', ')})`);
  const log = new CheckLog();
  try {
    await check(student, reference, log);
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

function nonceFromGrader(): Promise<string> {
  return new Promise((resolve) => {
    process.once('message', (m: { type: string; nonce: string }) => resolve(m.nonce));
  });
}

async function main(): Promise<void> {
  const nonce = await nonceFromGrader();
  const send = (result: ItemResult): void => {
    process.send?.({ type: 'result', nonce, result } satisfies ResultMessage, () => process.exit(0));
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const reference = require(process.env.COURSEWORK_REFERENCE as string) as Library;
    await reference.initBackend({ quiet: true });
    const student = await startStudentHost(JSON.parse(process.env.COURSEWORK_STUDENT as string) as StudentHostSpec);
    try {
      send(await runCheck(process.argv[2], student.lib, reference));
    } finally {
      student.close();
    }
  } catch (e) {
    send({ status: 'error', worst: null, message: errorMessage(e), comparisons: [] });
  }
}

if (require.main === module) void main();
