/**
 * Real Jupyter: registers this project's tslab kernel (npm run kernel:install's script) in
 * a temporary JUPYTER_PATH and executes notebooks with `jupyter nbconvert --execute`, as a
 * user's Jupyter would. Skipped only when Jupyter's nbconvert is not installed (CI installs it).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as net from 'net';
import { chromium } from 'playwright-core';
import { plotlyJsPath } from '../lib/display/figurePage';
import { PLOTLY_COPY } from '../lib/display/plotlyLoader';
import { PLOTLY_MIME } from '../lib/display/show';
import { failIfMissingUnderCi } from './helpers';

const ROOT = path.resolve(__dirname, '..');
const KERNEL_INSTALL = path.join(ROOT, 'dist', 'scripts', 'kernel-install.js');
/** Debian's Jupyter; `python3` on PATH may be another Python without Jupyter. */
const JUPYTER = fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter';
const KERNEL_NAME = 'backprop-lab-test';
const GETTING_STARTED = path.join(ROOT, 'notebooks', '00_getting_started.ipynb');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'ok.ipynb');
const RUNNER = path.join(ROOT, 'dist', 'scripts', 'run-notebooks.js');

interface Proc {
  code: number | null;
  output: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Proc> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => resolve({ code: null, output: String(e) }));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasJupyter = spawnSync(JUPYTER, ['nbconvert', '--version']).status === 0;
/** Classic Notebook (Debian's jupyter-notebook) is optional: it only adds the served-page check. */
const hasClassicNotebook = hasJupyter && spawnSync(JUPYTER, ['notebook', '--version']).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
if (!hasJupyter)
  console.warn(
    `jupyter.test: skipped — '${JUPYTER} nbconvert' is not installed ` +
      `(apt install jupyter-nbconvert python3-nbclient python3-ipykernel)`,
  );

interface Executed {
  cells: {
    cell_type: string;
    execution_count?: number | null;
    outputs?: { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }[];
  }[];
}

/** Per cell: each output's type, stream name and text, and MIME types (less the runner's added PNG). */
const shape = (nb: Executed) =>
  nb.cells.map((c) =>
    (c.outputs ?? []).map((o) => ({
      type: o.output_type,
      name: o.name,
      text: Array.isArray(o.text) ? o.text.join('') : o.text,
      // The runner adds a PNG to each figure and drops its inline-plotly HTML fallback for it.
      mimes: Object.keys(o.data ?? {})
        .filter((m) => m !== 'image/png' && !(m === 'text/html' && o.data?.[PLOTLY_MIME] !== undefined))
        .sort(),
    })),
  );

failIfMissingUnderCi(
  hasJupyter,
  `'${JUPYTER} nbconvert' (apt install jupyter-nbconvert python3-nbclient python3-ipykernel)`,
);
failIfMissingUnderCi(fs.existsSync(GETTING_STARTED), GETTING_STARTED);

describe.skipIf(!hasJupyter)('real Jupyter runs the tslab kernel', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jupyter-test-'));
  const env = { JUPYTER_PATH: path.join(tmp, 'share', 'jupyter'), BACKPROP_QUICK: '1' };

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  beforeAll(async () => {
    const r = await run(process.execPath, [
      KERNEL_INSTALL,
      '--prefix',
      tmp,
      '--name',
      KERNEL_NAME,
      '--jupyter',
      JUPYTER,
    ]);
    expect(r.code, r.output).toBe(0);
    const spec = JSON.parse(
      fs.readFileSync(path.join(tmp, 'share', 'jupyter', 'kernels', KERNEL_NAME, 'kernel.json'), 'utf8'),
    );
    expect(spec.argv).toEqual([
      process.execPath,
      path.join(ROOT, 'dist', 'scripts', 'tslab-kernel.js'),
      'kernel',
      '--config-path',
      '{connection_file}',
    ]);
  });

  async function nbconvert(notebook: string, extraEnv: NodeJS.ProcessEnv = {}, folder = 'executed'): Promise<Executed> {
    const outDir = path.join(tmp, folder);
    const r = await run(
      JUPYTER,
      [
        'nbconvert',
        '--to',
        'notebook',
        '--execute',
        `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
        '--ExecutePreprocessor.timeout=900',
        notebook,
        '--output-dir',
        outDir,
      ],
      { ...env, ...extraEnv },
    );
    expect(r.code, r.output).toBe(0);
    return JSON.parse(fs.readFileSync(path.join(outDir, path.basename(notebook)), 'utf8')) as Executed;
  }

  const outputsOf = (nb: Executed) => nb.cells.flatMap((c) => c.outputs ?? []);
  const executedPath = (notebook: string) => path.join(tmp, 'executed', path.basename(notebook));
  let gettingStartedRun: Promise<Executed> | null = null;
  /** Notebook 00 executed by nbconvert, once for the tests that look at it. */
  const gettingStarted = () => (gettingStartedRun ??= nbconvert(GETTING_STARTED));

  /**
   * Serves `root` with classic Jupyter Notebook (no token), trusts the notebook (as running it
   * in the browser would) and counts, in headless Chromium, the figures drawn and the requests
   * for plotly.js.
   */
  async function figuresDrawnUnderJupyter(
    root: string,
    notebook: string,
  ): Promise<{ drawn: number; placeholders: number; plotlyRequests: string[] }> {
    const trust = await run(PYTHON, [
      '-c',
      'import sys, nbformat; from nbformat.sign import NotebookNotary; ' +
        'NotebookNotary().sign(nbformat.read(sys.argv[1], as_version=4))',
      path.join(root, notebook),
    ]);
    expect(trust.code, trust.output).toBe(0);
    const port = await freePort();
    const server = spawn(
      JUPYTER,
      ['notebook', '--no-browser', '--allow-root', `--port=${port}`, '--NotebookApp.token=', `--notebook-dir=${root}`],
      { env: { ...process.env, ...env }, stdio: 'ignore' },
    );
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const plotlyRequests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('plotly')) plotlyRequests.push(r.url());
      });
      const url = `http://127.0.0.1:${port}/notebooks/${notebook}`;
      for (let tries = 0; ; tries++) {
        try {
          await page.goto(url);
          break;
        } catch (e) {
          if (tries > 60) throw e;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      await page.waitForSelector('.backprop-figure', { timeout: 60_000 });
      const placeholders = await page.locator('.backprop-figure').count();
      await page.waitForFunction(
        (n) => document.querySelectorAll('.backprop-figure .main-svg').length >= n,
        placeholders,
        { timeout: 60_000 },
      );
      const drawn = await page.locator('.backprop-figure .js-plotly-plot, .backprop-figure.js-plotly-plot').count();
      return { drawn, placeholders, plotlyRequests };
    } finally {
      await browser.close();
      server.kill();
    }
  }

  it(
    'executes the runner fixture with streams and a plotly bundle; ' + 'the headless runner records the same outputs',
    async () => {
      const viaJupyter = await nbconvert(FIXTURE);
      const outs = outputsOf(viaJupyter);
      expect(outs.filter((o) => o.output_type === 'error')).toEqual([]);
      expect(outs.some((o) => o.output_type === 'stream' && o.name === 'stdout')).toBe(true);
      expect(outs.some((o) => o.data?.[PLOTLY_MIME] !== undefined)).toBe(true);
      // The kernel publishes execute_input, so Jupyter numbers the cells (tslab alone left them In [ ]).
      const counts = viaJupyter.cells.filter((c) => c.cell_type === 'code').map((c) => c.execution_count);
      expect(counts).toEqual(counts.map((_, i) => i + 1));

      const out = path.join(tmp, 'runner-out');
      const r = await run(process.execPath, [RUNNER, 'ok', '--dir', path.dirname(FIXTURE), '--out', out], env);
      expect(r.code, r.output).toBe(0);
      const viaRunner = JSON.parse(fs.readFileSync(path.join(out, 'notebooks', 'ok.ipynb'), 'utf8')) as Executed;
      expect(shape(viaRunner)).toEqual(shape(viaJupyter));
      // …and writes valid nbformat (checked by Jupyter's own validator, in the Python that runs Jupyter).
      const check = await run(PYTHON, [
        '-c',
        'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))',
        path.join(out, 'notebooks', 'ok.ipynb'),
      ]);
      expect(check.code, check.output).toBe(0);
    },
    300_000,
  );

  it.skipIf(!fs.existsSync(GETTING_STARTED))(
    'executes notebooks/00_getting_started.ipynb without error, with a plotly figure',
    async () => {
      const outs = outputsOf(await gettingStarted());
      expect(outs.filter((o) => o.output_type === 'error')).toEqual([]);
      const figures = outs.filter((o) => o.data?.[PLOTLY_MIME] !== undefined).length;
      expect(figures).toBeGreaterThan(0);
      // plotly.js is never inside the saved notebook: the kernel Jupyter launched copied it once
      // beside the notebook, and each figure carries a small loader of that copy.
      const saved = fs.readFileSync(executedPath(GETTING_STARTED), 'utf8');
      expect(saved).not.toContain('plotly.js v'); // the library's banner
      expect(saved.length).toBeLessThan(200_000 * figures);
      expect(fs.statSync(path.join(path.dirname(GETTING_STARTED), PLOTLY_COPY)).size).toBe(
        fs.statSync(plotlyJsPath()).size,
      );
    },
    900_000,
  );

  it.skipIf(!fs.existsSync(CHROMIUM))(
    'with BACKPROP_FIGURE_PNG=1, a figure saved from Jupyter carries a PNG of itself (and without it, none)',
    async () => {
      const figureOutputs = (nb: Executed) => outputsOf(nb).filter((o) => o.data?.[PLOTLY_MIME] !== undefined);
      const withPng = figureOutputs(await nbconvert(FIXTURE, { BACKPROP_FIGURE_PNG: '1' }, 'with-png'));
      expect(withPng).toHaveLength(1);
      const png = Buffer.from(String(withPng[0].data!['image/png']), 'base64');
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(5_000);
      const plain = figureOutputs(await nbconvert(FIXTURE, {}, 'without-png'));
      expect(plain[0].data!['image/png']).toBeUndefined();
    },
    300_000,
  );

  it.skipIf(!hasClassicNotebook || !fs.existsSync(CHROMIUM))(
    'the saved notebook draws its figures in classic Jupyter Notebook (require.js), served by a real server',
    async () => {
      await gettingStarted();
      // The notebook as a user's Jupyter saves it: beside the folder its kernel wrote the copy into.
      const root = path.join(tmp, 'served');
      const folder = path.join(root, 'notebooks');
      fs.mkdirSync(path.join(folder, path.dirname(PLOTLY_COPY)), { recursive: true });
      fs.copyFileSync(executedPath(GETTING_STARTED), path.join(folder, 'nb.ipynb'));
      fs.copyFileSync(plotlyJsPath(), path.join(folder, PLOTLY_COPY));
      const figures = await figuresDrawnUnderJupyter(root, 'notebooks/nb.ipynb');
      expect(figures.drawn).toBeGreaterThan(0);
      expect(figures.drawn).toBe(figures.placeholders);
      expect(figures.plotlyRequests).toHaveLength(1);
      expect(figures.plotlyRequests[0]).toContain(`/files/notebooks/${PLOTLY_COPY}`);
    },
    300_000,
  );
});
