/**
 * The headless notebook runner (`dist/scripts/run-notebooks.js`, built by `npm test`), run
 * as a subprocess on the fixtures in test/fixtures with --dir/--out under a temp dir, plus
 * unit checks of its output recording and notebook selection.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMITTED_SECONDS_FILE,
  listScheduleSeconds,
  longestFirst,
  measuredTimes,
  recordSeconds,
  runEstimate,
} from '../scripts/runner/estimate';
import { inParallel } from '../scripts/runner/pool';
import { joinText, Notebook, notebookJson, Output, readNotebook } from '../scripts/runner/nbformat';
import { OutputRecorder } from '../scripts/runner/outputs';
import {
  DEFAULT_CELL_TIMEOUT_S,
  defaultJobs,
  parseOptions,
  selectNotebooks,
  UsageError,
} from '../scripts/runner/options';
import { findChromium } from '../scripts/runner/figures';
import { PLOTLY_MIME } from '../lib/display/show';

const ROOT = path.resolve(__dirname, '..');
const RUNNER = path.join(ROOT, 'dist', 'scripts', 'run-notebooks.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runRunner(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const tmpDirs: string[] = [];
const tmpDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));
  tmpDirs.push(d);
  return d;
};
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const code = (nb: Notebook): Notebook['cells'] => nb.cells.filter((c) => c.cell_type === 'code');
const streamText = (outs: Output[] | undefined, name: 'stdout' | 'stderr'): string =>
  (outs ?? [])
    .filter((o) => o.output_type === 'stream' && o.name === name)
    .map((o) => joinText((o as { text: string }).text))
    .join('');

beforeAll(() => {
  if (!fs.existsSync(RUNNER)) throw new Error(`${RUNNER} is missing: build first (npm run build, or npm test)`);
});

describe('OutputRecorder', () => {
  it('merges consecutive stream chunks of one name and applies display updates in place across cells', () => {
    const rec = new OutputRecorder();
    const c1: Notebook['cells'][number] = { cell_type: 'code', source: '', metadata: {} };
    const c2: Notebook['cells'][number] = { cell_type: 'code', source: '', metadata: {} };
    const w1 = rec.startCell(c1);
    w1.stream('stdout', 'a');
    w1.stream('stdout', 'b\n');
    w1.stream('stderr', 'e');
    w1.stream('stdout', 'c');
    w1.display({ data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } }, false);
    w1.display({ data: { 'image/png': new Uint8Array([1, 2, 3]) }, metadata: {} }, false);
    const w2 = rec.startCell(c2);
    w2.display(
      {
        data: { 'text/plain': 'v2', 'application/json': { x: 1 } },
        metadata: { m: 1 },
        transient: { display_id: 'd' },
      },
      true,
    );
    w2.display({ data: { 'text/plain': 'lost' }, metadata: {}, transient: { display_id: 'never-shown' } }, true);
    w1.stream('stdout', 'late\n'); // a timer of cell 1 printing while cell 2 runs
    expect(c1.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'ab\n' },
      { output_type: 'stream', name: 'stderr', text: 'e' },
      { output_type: 'stream', name: 'stdout', text: 'c' },
      { output_type: 'display_data', data: { 'text/plain': 'v2', 'application/json': { x: 1 } }, metadata: { m: 1 } },
      { output_type: 'display_data', data: { 'image/png': Buffer.from([1, 2, 3]).toString('base64') }, metadata: {} },
      { output_type: 'stream', name: 'stdout', text: 'late\n' },
    ]);
    expect(c2.outputs).toEqual([]);
  });
});

describe('notebookJson', () => {
  it("lays a notebook out like Jupyter but keeps a figure's JSON on one line, and round-trips exactly", () => {
    const figure = {
      data: [{ type: 'scatter', y: Array.from({ length: 500 }, (_, i) => Math.round(i / 7)) }],
      layout: {},
    };
    const nb = {
      cells: [
        {
          cell_type: 'code',
          source: ['bp.show(fig)'],
          metadata: {},
          execution_count: 1,
          outputs: [{ output_type: 'display_data', metadata: {}, data: { [PLOTLY_MIME]: figure, 'text/plain': 'F' } }],
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    } as unknown as Notebook;
    const text = notebookJson(nb);
    expect(JSON.parse(text)).toEqual(nb);
    expect(text).toContain(JSON.stringify(figure)); // one line
    expect(text).toContain('\n "cells": [\n'); // the structure indented as Jupyter writes it
    expect(text.length).toBeLessThan(JSON.stringify(nb, null, 1).length / 3);
  });
});

describe('selectNotebooks', () => {
  it('selects by prefix, stem or file name, in filename order, and rejects unknown names', () => {
    const all = selectNotebooks(FIXTURES, []).map((p) => path.basename(p));
    expect(all).toEqual(['ok.ipynb', 'slow.ipynb', 'throws.ipynb', 'type-error.ipynb']);
    expect(selectNotebooks(FIXTURES, ['type-error.ipynb', 'o']).map((p) => path.basename(p))).toEqual([
      'ok.ipynb',
      'type-error.ipynb',
    ]);
    expect(selectNotebooks(FIXTURES, ['t']).map((p) => path.basename(p))).toEqual(['throws.ipynb', 'type-error.ipynb']);
    expect(() => selectNotebooks(FIXTURES, ['99'])).toThrow(/no notebook .* matches '99'/);
  });
});

describe('run times: estimate and start order', () => {
  const entry = (stem: string, seconds: number, mode: 'quick' | 'full') => ({ stem, seconds, mode });

  it("takes this machine's last run in the same mode, else the committed time, and says which", () => {
    const out = tmpDir();
    const dir = tmpDir();
    expect(measuredTimes(out, dir, ['a'], 'full').size).toBe(0);
    expect(runEstimate(['a'], new Map(), 'full', 2)).toBeNull();
    fs.writeFileSync(
      path.join(out, 'runs.json'),
      JSON.stringify([entry('a', 60, 'full'), entry('b', 120, 'full'), entry('c', 30, 'quick')]),
    );
    fs.writeFileSync(path.join(dir, COMMITTED_SECONDS_FILE), JSON.stringify({ full: { b: 999, c: 240 } }));
    const times = measuredTimes(out, dir, ['a', 'b', 'c', 'd'], 'full');
    expect([...times]).toEqual([
      ['a', { seconds: 60, source: 'this machine' }],
      ['b', { seconds: 120, source: 'this machine' }],
      ['c', { seconds: 240, source: 'committed' }],
    ]);
    expect(runEstimate(['a', 'b', 'c', 'd'], times, 'full', 2)).toBe(
      'estimate for 3 of the 4 notebooks: 4.0 min wall, 2 at a time (7.0 min of notebook time; ' +
        'last full-mode runs: 2 on this machine, 1 as committed; slowest c, 4.0 min)',
    );
    expect(runEstimate(['a', 'b'], times, 'full', 1)).toBe(
      'estimate: 3.0 min wall, 1 at a time (3.0 min of notebook time; last full-mode runs: 2 on this machine; ' +
        'slowest b, 2.0 min)',
    );
    expect(measuredTimes(out, dir, ['a', 'b'], 'quick').size).toBe(0);
  });

  it('starts unmeasured notebooks first, then the longest; list scheduling gives the wall time', () => {
    const times = new Map([
      ['a', { seconds: 60, source: 'this machine' as const }],
      ['b', { seconds: 300, source: 'this machine' as const }],
      ['c', { seconds: 60, source: 'committed' as const }],
    ]);
    expect(longestFirst(['a', 'b', 'c', 'd'], times)).toEqual([3, 1, 0, 2]);
    // Two at a time: 360 s in this order, 320 s longest first.
    expect(listScheduleSeconds([60, 60, 300, 200], 2)).toBe(360);
    expect(listScheduleSeconds([300, 200, 60, 60], 2)).toBe(320);
    expect(listScheduleSeconds([5, 7], 4)).toBe(7);
  });

  it('--record-seconds merges the run into the committed file, rounded, one mode at a time', () => {
    const dir = tmpDir();
    recordSeconds(dir, [{ stem: 'b', seconds: 12.6 }], 'full');
    recordSeconds(dir, [{ stem: 'a', seconds: 3.2 }], 'full');
    recordSeconds(dir, [{ stem: 'a', seconds: 1 }], 'quick');
    recordSeconds(dir, [{ stem: 'b', seconds: 20 }], 'full');
    expect(JSON.parse(fs.readFileSync(path.join(dir, COMMITTED_SECONDS_FILE), 'utf8'))).toEqual({
      full: { a: 3, b: 20 },
      quick: { a: 1 },
    });
  });

  it('inParallel starts jobs in the given order, at most `limit` at once', async () => {
    const started: number[] = [];
    let running = 0,
      most = 0;
    await inParallel([2, 0, 1, 3], 2, async (k) => {
      started.push(k);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    });
    expect(started).toEqual([2, 0, 1, 3]);
    expect(most).toBe(2);
  });
});

describe('parseOptions', () => {
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseOptions(argv, env, ROOT);
  const nb = (f: string): string => path.join(FIXTURES, f);

  it('keeps the documented flags, defaults and positional names', () => {
    expect(parse(['--dir', 'test/fixtures'])).toEqual({
      notebooks: ['ok.ipynb', 'slow.ipynb', 'throws.ipynb', 'type-error.ipynb'].map(nb),
      dir: FIXTURES,
      out: path.join(ROOT, 'out'),
      timeoutS: DEFAULT_CELL_TIMEOUT_S,
      jobs: defaultJobs(),
      inplace: false,
      sandbox: false,
      recordSeconds: false,
    });
    const argv = [
      'o',
      '--timeout',
      '2.5',
      '--inplace',
      '--dir=test/fixtures',
      't',
      '--out',
      '/tmp/o',
      '--record-seconds',
    ];
    expect(parse(argv)).toEqual({
      notebooks: ['ok.ipynb', 'throws.ipynb', 'type-error.ipynb'].map(nb),
      dir: FIXTURES,
      out: '/tmp/o',
      timeoutS: 2.5,
      jobs: defaultJobs(),
      inplace: true,
      sandbox: false,
      recordSeconds: true,
    });
    expect(parse(['ok', '--dir', FIXTURES], { BACKPROP_CELL_TIMEOUT: '60' }).timeoutS).toBe(60);
    expect(parse(['ok', '--dir', FIXTURES, '--timeout', '5'], { BACKPROP_CELL_TIMEOUT: '60' }).timeoutS).toBe(5);
    expect(() => parse(['--help'])).toThrow(UsageError);
    expect(parse(['ok', '--dir', FIXTURES, '--jobs', '3']).jobs).toBe(3);
    expect(() => parse(['ok', '--dir', FIXTURES, '--jobs', '0'])).toThrow(/--jobs/);
    expect(defaultJobs()).toBeGreaterThanOrEqual(1);
  });

  it('names the script, the flag, what it expects and what was given', () => {
    const ok = ['ok', '--dir', FIXTURES];
    expect(() => parse([...ok, '--timout', '3'])).toThrow(
      "run-notebooks: unknown flag '--timout' " +
        '(expected one of: --timeout, --jobs, --inplace, --sandbox, --record-seconds, --dir, --out, -h/--help)',
    );
    expect(() => parse([...ok, '--timeout'])).toThrow(
      'run-notebooks: --timeout expects a positive number of seconds, got nothing',
    );
    expect(() => parse([...ok, '--timeout', 'ten'])).toThrow(
      "run-notebooks: --timeout expects a positive number of seconds, got 'ten'",
    );
    expect(() => parse([...ok, '--timeout', '0'])).toThrow("--timeout expects a positive number of seconds, got '0'");
    expect(() => parse(ok, { BACKPROP_CELL_TIMEOUT: 'x' })).toThrow(
      "run-notebooks: BACKPROP_CELL_TIMEOUT expects a positive number of seconds, got 'x'",
    );
    expect(() => parse([...ok, '--inplace=1'])).toThrow("run-notebooks: --inplace takes no value, got '1'");
  });
});

describe('run-notebooks on fixtures', () => {
  it(
    'records streams, the last-expression result, ' +
      'display bundles and in-place updates; writes figures and the index',
    async () => {
      const dir = tmpDir();
      const src = path.join(dir, 'nbs');
      fs.mkdirSync(src);
      // The kernel resolves 'backprop-lab' and 'tslab' from the notebook's directory upwards.
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      fs.copyFileSync(path.join(FIXTURES, 'ok.ipynb'), path.join(src, 'ok.ipynb'));
      const out = path.join(dir, 'out');
      const r = await runRunner(['ok', '--dir', src, '--out', out, '--inplace']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/ok\s+5\/5\s+[\d.]+\s+1\s+ok/); // summary row: cells, seconds, figures, status

      const nb = readNotebook(path.join(out, 'notebooks', 'ok.ipynb'));
      const [imports, result, show, live, update] = code(nb);
      expect(code(nb).map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5]);
      expect(imports.outputs).toEqual([
        { output_type: 'stream', name: 'stdout', text: 'hello from stdout\nsecond line\n' },
      ]);
      expect(streamText(result.outputs, 'stdout')).toBe('42\n');
      const bundles = (show.outputs ?? []).filter((o) => o.output_type === 'display_data');
      expect(bundles).toHaveLength(1);
      const data = (bundles[0] as { data: Record<string, unknown> }).data;
      const fig = data[PLOTLY_MIME] as { data: { y: number[] }[] };
      expect(fig.data[0].y).toEqual([3, 1, 2]);
      // The live display was updated 4 times in its cell and once from the next cell: one output, final state.
      expect(live.outputs).toEqual([{ output_type: 'display_data', data: { 'text/plain': 'finished' }, metadata: {} }]);
      expect(update.outputs).toEqual([{ output_type: 'stream', name: 'stderr', text: 'a note on stderr\n' }]);

      const figDir = path.join(out, 'figures', 'ok');
      expect(JSON.parse(fs.readFileSync(path.join(figDir, 'figure-1.json'), 'utf8'))).toEqual(fig);
      const html = fs.readFileSync(path.join(figDir, 'figure-1.html'), 'utf8');
      // plotly.js once, shared by every figure page (no CDN): the page itself stays small
      expect([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1])).toEqual(['../plotly.min.js']);
      expect(html.length).toBeLessThan(20_000);
      expect(fs.statSync(path.join(out, 'figures', 'plotly.min.js')).size).toBeGreaterThan(1_000_000);
      if (findChromium()) {
        const png = fs.readFileSync(path.join(figDir, 'figure-1.png'));
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(data['image/png']).toBe(png.toString('base64'));
        expect(data['text/html']).toBeUndefined(); // the inline-plotly fallback gave way to the PNG
        expect(fs.statSync(path.join(out, 'notebooks', 'ok.ipynb')).size).toBeLessThan(200_000);
      } else {
        expect(r.stdout).toMatch(/no Chromium/);
        expect(data['image/png']).toBeUndefined();
      }
      const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
      expect(index).toContain('href="notebooks/ok.ipynb"');
      expect(index).toContain('href="figures/ok/figure-1.html"');
      // --inplace wrote the executed notebook over the source.
      expect(readNotebook(path.join(src, 'ok.ipynb'))).toEqual(nb);
    },
  );

  it(
    'stops at a throwing cell: non-zero exit, ' + 'names the cell and its first line, writes the partial notebook',
    async () => {
      const out = path.join(tmpDir(), 'out');
      const r = await runRunner(['throws', '--dir', FIXTURES, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('throws.ipynb: Error in cell 2 (`const n = 3;`): fixture failure 3');
      const [before, failing, after] = code(readNotebook(path.join(out, 'notebooks', 'throws.ipynb')));
      expect(streamText(before.outputs, 'stdout')).toBe('before the failure\n');
      const err = (failing.outputs ?? []).find((o) => o.output_type === 'error');
      expect(err).toMatchObject({ ename: 'Error', evalue: 'fixture failure 3' });
      expect((err as { traceback: string[] }).traceback.join('\n')).toContain('at explode');
      expect(after.outputs).toEqual([]);
      expect(after.execution_count).toBeNull();
      expect(r.stdout).toMatch(/throws\s+1\/3\s+[\d.]+\s+0\s+FAILED at cell 2/);
    },
  );

  it('--jobs 2 runs notebooks side by side: same results, the summary in notebook order, the wall time', async () => {
    const out = path.join(tmpDir(), 'out');
    const r = await runRunner(['ok', 'throws', 'type-error', '--dir', FIXTURES, '--out', out, '--jobs', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cell timeout 1800 s, 2 at a time\)/);
    const summary = r.stdout.slice(r.stdout.indexOf('notebook   '));
    expect(summary).toMatch(/ok\s+5\/5\s+[\d.]+\s+1\s+ok\n\s*throws\s+1\/3[^\n]*FAILED at cell 2\ntype-error\s+1\/3/);
    expect(r.stdout).toMatch(
      /wall time [\d.]+ min for 3 notebooks, 2 at a time \(their own times add up to [\d.]+ min\)/,
    );
    expect(r.stderr).toContain('throws.ipynb: Error in cell 2 (`const n = 3;`): fixture failure 3');
    for (const n of ['ok', 'throws', 'type-error'])
      expect(fs.existsSync(path.join(out, 'notebooks', `${n}.ipynb`))).toBe(true);
  });

  it('reports a TypeScript type error as a compile error with line numbers, without running the cell', async () => {
    const out = path.join(tmpDir(), 'out');
    const r = await runRunner(['type-error', '--dir', FIXTURES, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'type-error.ipynb: TypeScript compile error in cell 2 (`// a string where a number belongs`)',
    );
    expect(r.stderr).toContain("2:7 - Type 'number' is not assignable to type 'string'.");
    const cells = code(readNotebook(path.join(out, 'notebooks', 'type-error.ipynb')));
    expect(streamText(cells[0].outputs, 'stdout')).toBe('1\n');
    expect(cells[1].outputs).toEqual([
      {
        output_type: 'error',
        ename: 'TypeScriptCompileError',
        evalue: '1 TypeScript error; the cell did not run',
        traceback: ["2:7 - Type 'number' is not assignable to type 'string'."],
      },
    ]);
    expect(cells[2].outputs).toEqual([]);
  });

  it('kills a cell that exceeds --timeout and records the timeout in the partial notebook', async () => {
    const out = path.join(tmpDir(), 'out');
    const r = await runRunner(['slow', '--dir', FIXTURES, '--out', out, '--timeout', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "slow.ipynb: CellTimeoutError in cell 1 (`console.log('waiting');`): cell 1 did not finish within 3 s",
    );
    const [slow] = code(readNotebook(path.join(out, 'notebooks', 'slow.ipynb')));
    expect(slow.outputs?.at(-1)).toMatchObject({ output_type: 'error', ename: 'CellTimeoutError' });
  });

  describe('work a cell leaves behind', () => {
    const LATE = path.join(FIXTURES, 'late');
    const errorOf = (cell: Notebook['cells'][number]): Output | undefined =>
      (cell.outputs ?? []).find((o) => o.output_type === 'error');

    it('fails on a throw scheduled by the last cell, naming that cell, with the error as its output', async () => {
      const out = path.join(tmpDir(), 'out');
      const r = await runRunner(['late-throw', '--dir', LATE, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        "late-throw.ipynb: Error in cell 2 (`// the throw comes after the cell's own result`): late",
      );
      expect(r.stdout).toMatch(/late-throw\s+1\/2\s+[\d.]+\s+0\s+FAILED at cell 2/);
      const [first, last] = code(readNotebook(path.join(out, 'notebooks', 'late-throw.ipynb')));
      expect(streamText(first.outputs, 'stdout')).toBe('first cell\n');
      expect(errorOf(last)).toMatchObject({ ename: 'Error', evalue: 'late' });
      expect((errorOf(last) as { traceback: string[] }).traceback[0]).toBe('UncaughtException: Error: late');
    });

    it('fails on a rejected promise nobody awaits, naming the cell that made it', async () => {
      const out = path.join(tmpDir(), 'out');
      const r = await runRunner(['late-rejection', '--dir', LATE, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'late-rejection.ipynb: Error in cell 2 (`// nobody awaits this promise`): rejected, never awaited',
      );
      const [, rejecting, after] = code(readNotebook(path.join(out, 'notebooks', 'late-rejection.ipynb')));
      expect(streamText(rejecting.outputs, 'stdout')).toBe('cell done\n');
      expect(errorOf(rejecting)).toMatchObject({ ename: 'Error', evalue: 'rejected, never awaited' });
      expect(after.execution_count).toBeNull();
    });

    it('blames a late error on the cell that scheduled it, not on the next one', async () => {
      const out = path.join(tmpDir(), 'out');
      const r = await runRunner(['late-earlier-cell', '--dir', LATE, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'late-earlier-cell.ipynb: Error in cell 1 (`// cell 1 schedules a throw 50 ms later`): late from cell 1',
      );
      expect(r.stdout).toMatch(/late-earlier-cell\s+0\/3\s+[\d.]+\s+0\s+FAILED at cell 1/);
      const [scheduling, next] = code(readNotebook(path.join(out, 'notebooks', 'late-earlier-cell.ipynb')));
      expect(errorOf(scheduling)).toMatchObject({ ename: 'Error', evalue: 'late from cell 1' });
      expect(next.outputs).toEqual([]);
      expect(next.execution_count).toBeNull();
    });
  });

  it('--sandbox stops a cell from writing outside --out (the same cell writes there without it)', async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'escaped.txt');
    const sandboxed = await runRunner(
      ['--dir', path.join(FIXTURES, 'sandbox'), '--out', path.join(dir, 'a'), '--sandbox'],
      {
        ESCAPE_TARGET: target,
      },
    );
    expect(sandboxed.code).toBe(1);
    expect(sandboxed.stderr).toContain('Access to this API has been restricted');
    expect(fs.existsSync(target)).toBe(false);
    const free = await runRunner(['--dir', path.join(FIXTURES, 'sandbox'), '--out', path.join(dir, 'b')], {
      ESCAPE_TARGET: target,
    });
    expect(free.code).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe('written by a notebook cell');
  });

  it('refuses malformed notebooks before any kernel starts, naming the file and the problem', async () => {
    const out = path.join(tmpDir(), 'out');
    const r = await runRunner(['--dir', path.join(FIXTURES, 'malformed'), '--out', out]);
    expect(r.code).toBe(1);
    for (const message of [
      'empty.ipynb: malformed notebook, not run: no cells',
      'no-cells-array.ipynb: malformed notebook, not run: no `cells` array (got undefined)',
      'not-json.ipynb: malformed notebook, not run: not JSON: ',
      'numeric-source.ipynb: malformed notebook, not run: cell 3: source must be a string or a list of strings, ' +
        'got number',
    ]) {
      expect(r.stderr).toContain(message);
    }
    expect(r.stdout).toMatch(/empty\s+0\/0\s+[\d.]+\s+0\s+FAILED\n/);
    expect(fs.existsSync(path.join(out, 'notebooks'))).toBe(false);
  });

  it('rejects an unknown notebook name with a usage error', async () => {
    const r = await runRunner(['no-such-notebook', '--dir', FIXTURES, '--out', path.join(tmpDir(), 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no notebook in');
  });

  it('rejects an unknown flag and a bad --timeout with a usage error', async () => {
    const bad = await runRunner(['ok', '--dir', FIXTURES, '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^run-notebooks: unknown flag '--bogus' \(expected one of: --timeout, .*\nusage: /);
    const nan = await runRunner(['ok', '--dir', FIXTURES, '--timeout', 'soon']);
    expect(nan.code).toBe(2);
    expect(nan.stderr).toContain("run-notebooks: --timeout expects a positive number of seconds, got 'soon'");
  });
});
