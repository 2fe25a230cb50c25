/**
 * Runs grading items, each in its own process group with a time limit: a grading check
 * (coursework/checks/runItem.js, which prints `COURSEWORK_RESULT {...}`) or vitest test
 * files with a name filter (JSON reporter). A timeout kills the whole group and costs that
 * item only; so does a crash, a module that does not load, or a wrong shape.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ItemSpec } from './assignments';

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
}

interface ProcessResult {
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut: boolean;
  seconds: number;
}

/** Runs a command in its own process group; on timeout the group is killed. */
export function runLimited(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutS: number },
): Promise<ProcessResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '',
      timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, timedOut, seconds: (Date.now() - start) / 1000 });
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

export interface ItemContext {
  root: string;
  workspace: string;
  modulesFile: string;
  timeoutS: number;
}

async function runCheckItem(
  ctx: ItemContext,
  item: ItemSpec,
): Promise<Omit<ItemOutcome, 'id' | 'points' | 'maxPoints'>> {
  const r = await runLimited(
    process.execPath,
    [path.join(ctx.workspace, 'dist', 'coursework', 'checks', 'runItem.js'), item.check as string],
    {
      cwd: ctx.workspace,
      env: {
        ...process.env,
        COURSEWORK_MODULES: ctx.modulesFile,
        COURSEWORK_REFERENCE: path.join(ctx.root, 'dist', 'lib', 'index.js'),
      },
      timeoutS: ctx.timeoutS,
    },
  );
  if (r.timedOut)
    return {
      status: 'timeout',
      worst: null,
      message: `no result within ${ctx.timeoutS} s (endless loop?)`,
      seconds: r.seconds,
    };
  const line = r.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('COURSEWORK_RESULT '));
  if (!line)
    return {
      status: 'error',
      worst: null,
      message: `crashed (exit ${r.code}): ${lastLines(r.stderr || r.stdout, 3)}`,
      seconds: r.seconds,
    };
  const res = JSON.parse(line.slice('COURSEWORK_RESULT '.length)) as {
    status: ItemStatus;
    worst: number | null;
    message: string;
  };
  return { status: res.status, worst: res.worst, message: res.message, seconds: r.seconds };
}

interface VitestJson {
  numFailedTests: number;
  numPassedTests: number;
  testResults: {
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

async function runTestItem(
  ctx: ItemContext,
  item: ItemSpec,
): Promise<Omit<ItemOutcome, 'id' | 'points' | 'maxPoints'>> {
  const test = item.test as { files: string[]; name?: string };
  const report = path.join(ctx.workspace, `vitest-${item.id}.json`);
  const args = [
    path.join(ctx.root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...test.files,
    '--reporter=json',
    `--outputFile=${report}`,
    '--maxWorkers=1',
  ];
  if (test.name) args.push('-t', test.name);
  const r = await runLimited(process.execPath, args, { cwd: ctx.workspace, env: process.env, timeoutS: ctx.timeoutS });
  if (r.timedOut)
    return {
      status: 'timeout',
      worst: null,
      message: `tests did not finish within ${ctx.timeoutS} s (endless loop?)`,
      seconds: r.seconds,
    };
  if (!fs.existsSync(report))
    return {
      status: 'error',
      worst: null,
      message: `vitest crashed (exit ${r.code}): ${lastLines(r.stderr || r.stdout, 3)}`,
      seconds: r.seconds,
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
    };
  }
  return { status: 'pass', worst: null, message: '', seconds: r.seconds };
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
      const r = item.check !== undefined ? await runCheckItem(ctx, item) : await runTestItem(ctx, item);
      results[k] = { id: item.id, maxPoints: item.points, points: r.status === 'pass' ? item.points : 0, ...r };
      onDone(results[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}
