/**
 * Runs grading items, each in its own process group with a time and a memory limit, on a
 * private copy of the submission's build (gradeWorkspace.ts `itemCopy`). The submission's
 * code runs only in sandboxed processes (sandbox.ts: it may read its copy and node_modules,
 * write its working folder, and start nothing); results reach the grader on channels it
 * cannot write, and its output is kept as quoted text, never parsed:
 * - a check item: the check process (instructor code, coursework/checks/runItem.ts) compares
 *   the student's return values, computed in a sandboxed student process, with the
 *   reference, and sends its result over IPC with the nonce the grader gave it;
 * - a test item: vitest's main process (instructor code) runs the test files in sandboxed
 *   workers and writes its JSON report to a nonce-named file outside anything they may write.
 * A timeout, a crash, a module that does not load or memory beyond the limit cost that item only.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ItemResult, ResultMessage } from '../../coursework/checks/runItem';
import { ItemSpec } from './assignments';
import { ItemCopy, itemCopy } from './gradeWorkspace';
import { groupRssMb, sandboxFlags, SandboxPaths } from '../sandbox';

/** `todo`: the function still throws its release stub's TODO error. */
export type ItemStatus = 'pass' | 'fail' | 'error' | 'todo' | 'timeout';

export interface ItemOutcome {
  id: string;
  points: number;
  maxPoints: number;
  status: ItemStatus;
  /** Worst relative error over the item's comparisons (checks only). */
  worst: number | null;
  message: string;
  seconds: number;
  /** The last lines the item's processes printed, as text (shown quoted, never parsed). */
  output: string;
}

interface ProcessResult {
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut: boolean;
  /** The group's resident memory passed `memoryMb` and it was killed. */
  overMemory: boolean;
  /** IPC messages received (only with `ipcFirst`). */
  messages: unknown[];
  seconds: number;
}

const OUTPUT_CHARS = 4000;

export interface LimitOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutS: number;
  /** Kill the process group when its resident memory exceeds this (MB). */
  memoryMb?: number;
  /** Open an IPC channel and send this message first. */
  ipcFirst?: unknown;
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Runs a command in its own process group; on timeout or over the memory limit the group is killed. */
export function runLimited(cmd: string, args: string[], opts: LimitOptions): Promise<ProcessResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const ipc = opts.ipcFirst !== undefined;
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '',
      timedOut = false,
      overMemory = false;
    const messages: unknown[] = [];
    child.stdout?.on('data', (d: Buffer) => {
      stdout = (stdout + d.toString()).slice(-OUTPUT_CHARS);
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-OUTPUT_CHARS);
    });
    if (ipc) {
      child.on('message', (m) => messages.push(m));
      child.send(opts.ipcFirst as object);
    }
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, opts.timeoutS * 1000);
    const memoryWatch =
      opts.memoryMb === undefined
        ? undefined
        : setInterval(() => {
            if (groupRssMb(child.pid as number) <= (opts.memoryMb as number)) return;
            overMemory = true;
            killGroup(child);
          }, 200);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(memoryWatch);
      resolve({ stdout, stderr, code, timedOut, overMemory, messages, seconds: (Date.now() - start) / 1000 });
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

export interface ItemContext {
  root: string;
  /** The submission's build (never written by its code). */
  workspace: string;
  timeoutS: number;
  /** Per item: resident memory of all its processes (MB). */
  memoryMb: number;
}

type Verdict = Omit<ItemOutcome, 'id' | 'points' | 'maxPoints'>;

/** What a sandboxed process of this item may read and write. */
function sandboxOf(ctx: ItemContext, copy: ItemCopy, extraReadable: string[] = []): SandboxPaths {
  return {
    readable: [copy.dir, path.join(ctx.root, 'node_modules'), path.join(ctx.root, 'datasets'), ...extraReadable],
    writable: [copy.workDir],
  };
}

/** A verdict for a process that was stopped, or undefined. */
function stopped(ctx: ItemContext, r: ProcessResult, what: string): Verdict | undefined {
  const output = (r.stdout + r.stderr).slice(-OUTPUT_CHARS);
  if (r.overMemory)
    return { status: 'error', worst: null, message: `used more than ${ctx.memoryMb} MB`, seconds: r.seconds, output };
  if (r.timedOut)
    return { status: 'timeout', worst: null, message: `${what} within ${ctx.timeoutS} s`, seconds: r.seconds, output };
  return undefined;
}

async function runCheckItem(ctx: ItemContext, item: ItemSpec, copy: ItemCopy): Promise<Verdict> {
  const nonce = randomBytes(16).toString('hex');
  const student = {
    hostScript: path.join(copy.dir, 'dist', 'coursework', 'checks', 'studentHost.js'),
    modulesFile: copy.modulesFile,
    workDir: copy.workDir,
    sandbox: sandboxOf(ctx, copy),
    heapMb: ctx.memoryMb,
  };
  const r = await runLimited(
    process.execPath,
    [path.join(ctx.workspace, 'dist', 'coursework', 'checks', 'runItem.js'), item.check as string],
    {
      cwd: copy.workDir,
      env: {
        ...process.env,
        COURSEWORK_REFERENCE: path.join(ctx.root, 'dist', 'lib', 'index.js'),
        COURSEWORK_STUDENT: JSON.stringify(student),
      },
      timeoutS: ctx.timeoutS,
      memoryMb: ctx.memoryMb,
      ipcFirst: { type: 'nonce', nonce },
    },
  );
  const output = (r.stdout + r.stderr).slice(-OUTPUT_CHARS);
  const halted = stopped(ctx, r, 'no result (endless loop?)');
  if (halted) return halted;
  const result = r.messages.find((m): m is ResultMessage => (m as ResultMessage)?.nonce === nonce)?.result as
    ItemResult | undefined;
  if (!result)
    return {
      status: 'error',
      worst: null,
      message: `the check process ended (exit ${r.code}) without a result: ${lastLines(r.stderr, 3)}`,
      seconds: r.seconds,
      output,
    };
  return { status: result.status, worst: result.worst, message: result.message, seconds: r.seconds, output };
}

interface VitestJson {
  numFailedTests: number;
  numPassedTests: number;
  testResults: {
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

/**
 * The vitest configuration of a graded test item: the project's settings, rooted at the
 * item's copy, one worker, and that worker sandboxed (the vitest main process, which writes
 * the report, runs instructor code only). `viteTmp` is where the main process leaves the
 * transformed modules the worker reads.
 */
function gradingVitestConfig(ctx: ItemContext, copy: ItemCopy, viteTmp: string): string {
  const config = {
    root: copy.dir,
    test: {
      include: ['test/**/*.test.ts'],
      setupFiles: ['test/setup.ts'],
      pool: 'forks',
      maxWorkers: 1,
      testTimeout: 120_000,
      hookTimeout: 120_000,
      execArgv: sandboxFlags(sandboxOf(ctx, copy, [viteTmp]), ctx.memoryMb),
      env: { TMPDIR: copy.workDir },
    },
  };
  return `export default ${JSON.stringify(config, null, 2)};\n`;
}

async function runTestItem(ctx: ItemContext, item: ItemSpec, copy: ItemCopy): Promise<Verdict> {
  const test = item.test as { files: string[]; name?: string };
  const viteTmp = path.join(copy.graderDir, 'vite-tmp');
  fs.mkdirSync(viteTmp, { recursive: true });
  const configFile = path.join(copy.graderDir, 'vitest.grade.config.mjs');
  fs.writeFileSync(configFile, gradingVitestConfig(ctx, copy, viteTmp));
  const report = path.join(copy.graderDir, `report-${randomBytes(16).toString('hex')}.json`);
  const args = [
    path.join(ctx.root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...test.files,
    '--config',
    configFile,
    '--reporter=json',
    `--outputFile=${report}`,
  ];
  if (test.name) args.push('-t', test.name);
  const r = await runLimited(process.execPath, args, {
    cwd: copy.dir,
    env: { ...process.env, TMPDIR: viteTmp },
    timeoutS: ctx.timeoutS,
    memoryMb: ctx.memoryMb,
  });
  const output = (r.stdout + r.stderr).slice(-OUTPUT_CHARS);
  const halted = stopped(ctx, r, 'tests did not finish (endless loop?)');
  if (halted) return halted;
  if (!fs.existsSync(report))
    return {
      status: 'error',
      worst: null,
      message: `vitest crashed (exit ${r.code}): ${lastLines(r.stderr || r.stdout, 3)}`,
      seconds: r.seconds,
      output,
    };
  const json = JSON.parse(fs.readFileSync(report, 'utf8')) as VitestJson;
  const failed = json.testResults.flatMap((f) => f.assertionResults.filter((t) => t.status === 'failed'));
  const suiteErrors = json.testResults.map((f) => f.message).filter((m): m is string => Boolean(m));
  if (json.numPassedTests === 0 && failed.length === 0) {
    return {
      status: 'error',
      worst: null,
      message: suiteErrors[0]?.split('\n')[0] ?? `no test matched '${test.name ?? ''}' in ${test.files.join(', ')}`,
      seconds: r.seconds,
      output,
    };
  }
  if (failed.length > 0 || suiteErrors.length > 0) {
    const first = failed[0]
      ? `${failed[0].fullName}: ${(failed[0].failureMessages[0] ?? '').split('\n')[0]}`
      : suiteErrors[0].split('\n')[0];
    const stubbed = failed.length > 0 && failed.every((t) => t.failureMessages.some((m) => m.includes('TODO: ')));
    return {
      status: stubbed ? 'todo' : 'fail',
      worst: null,
      message: `${failed.length}/${json.numPassedTests + failed.length} tests failed; ${first}`,
      seconds: r.seconds,
      output,
    };
  }
  return { status: 'pass', worst: null, message: '', seconds: r.seconds, output };
}

/** Runs `items` with at most `jobs` at a time; results in the items' order. */
export async function runItems(
  ctx: ItemContext,
  items: ItemSpec[],
  jobs: number,
  onDone: (o: ItemOutcome) => void,
): Promise<ItemOutcome[]> {
  const results: ItemOutcome[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      const item = items[k];
      const copy = itemCopy(ctx.workspace, item.id);
      try {
        const r = item.check !== undefined ? await runCheckItem(ctx, item, copy) : await runTestItem(ctx, item, copy);
        results[k] = { id: item.id, maxPoints: item.points, points: r.status === 'pass' ? item.points : 0, ...r };
      } finally {
        copy.remove();
      }
      onDone(results[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}
