/**
 * Real browser: exported figures must draw in headless Chromium with no network at all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium } from 'playwright-core';
import { lineChart } from '../lib';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { figureDivHtml, figurePageHtml, plotlyJsPath } from '../lib/display/figurePage';
import { PLOTLY_COPY, plotlyLoaderTag } from '../lib/display/plotlyLoader';
import { figureBundle } from '../lib/display/show';
import { renderFigurePng } from '../lib/display/figurePng';
import { PNG } from 'pngjs';
import { failIfMissingUnderCi } from './helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Opens an HTML file with every non-file request aborted; returns the number of drawn trace groups. */
async function countTraces(
  file: string,
): Promise<{ traces: number; figures: number; blocked: string[]; amdCalls: number; defineRestored: boolean }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage();
    const blocked: string[] = [];
    await page.route('**', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('.main-svg .trace', { timeout: 20_000 });
    const traces = await page.locator('.main-svg g.trace').count();
    const figures = await page.locator('.js-plotly-plot').count();
    const amdCalls = await page.evaluate(() => (window as unknown as { amdCalls?: number }).amdCalls ?? 0);
    const defineRestored = await page.evaluate(
      () => typeof (window as unknown as { define?: unknown }).define === 'function',
    );
    return { traces, figures, blocked, amdCalls, defineRestored };
  } finally {
    await browser.close();
  }
}

failIfMissingUnderCi(fs.existsSync(CHROMIUM), `Chromium at ${CHROMIUM} (apt install chromium, or set CHROMIUM_PATH)`);

describe.skipIf(!fs.existsSync(CHROMIUM))('figures in a real browser (headless Chromium, no network)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'figures-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a standalone figure page draws its traces', async () => {
    const file = path.join(dir, 'page.html');
    fs.writeFileSync(
      file,
      figurePageHtml(lineChart({ series: { train: [3, 2, 1.5], val: [3.2, 2.4, 2] }, title: 'loss' }), 'loss'),
    );
    const { traces, blocked } = await countTraces(file);
    expect(traces).toBeGreaterThanOrEqual(2);
    expect(blocked).toEqual([]);
  });

  it('renderFigurePng draws a figure into a PNG of the window size, with its traces in colour', () => {
    const figure = lineChart({ series: { train: [3, 2, 1.5], val: [3.2, 2.4, 2] }, title: 'loss' });
    const png = PNG.sync.read(renderFigurePng({ ...figure, layout: { ...figure.layout, height: 300 } }, CHROMIUM)!);
    expect([png.width, png.height]).toEqual([900, 300 + 32]);
    // plotly's first two trace colours (#1f77b4, #ff7f0e) are drawn: the plot is not blank
    let blue = 0,
      orange = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (Math.abs(r - 0x1f) < 12 && Math.abs(g - 0x77) < 12 && Math.abs(b - 0xb4) < 12) blue++;
      if (Math.abs(r - 0xff) < 12 && Math.abs(g - 0x7f) < 12 && Math.abs(b - 0x0e) < 12) orange++;
    }
    expect(blue).toBeGreaterThan(100);
    expect(orange).toBeGreaterThan(100);
    expect(renderFigurePng(figure, '/bin/false')).toBeNull();
  });

  it(
    'two notebook HTML fallbacks in one page (the second reuses ' +
      'plotly.js from the first) both draw, even under require.js',
    async () => {
      const first = figureBundle(lineChart({ series: { a: [1, 2, 3] } }))['text/html'] as string;
      const second = figureBundle(lineChart({ series: { b: [3, 1, 2] } }))['text/html'] as string;
      const file = path.join(dir, 'notebook.html');
      // Classic Notebook loads require.js: an AMD `define` is on the page, and a UMD bundle that
      // saw it would register a module instead of setting window.Plotly.
      const amd =
        '<script>window.define=function(){window.amdCalls=(window.amdCalls||0)+1;};window.define.amd={};</script>';
      fs.writeFileSync(
        file,
        `<!DOCTYPE html><html><head><meta charset="utf-8">${amd}</head><body>${first}<hr>${second}</body></html>`,
      );
      const { traces, figures, amdCalls, defineRestored } = await countTraces(file);
      expect(figures).toBe(2);
      expect(traces).toBeGreaterThanOrEqual(2);
      expect(amdCalls).toBe(0);
      expect(defineRestored).toBe(true);
    },
  );

  it(
    'under a JupyterLab-style page (base URL in jupyter-config-data, /lab/tree/ address, no require.js) ' +
      'the figure loader fetches the copy beside the notebook from the files/ route, once',
    async () => {
      const bundles = [lineChart({ series: { a: [1, 2, 3] } }), lineChart({ series: { b: [3, 1, 2] } })];
      const html = bundles.map((f) => plotlyLoaderTag() + figureDivHtml(f, `fig-${f.data[0].name}`)).join('<hr>');
      const config = '<script id="jupyter-config-data" type="application/json">{"baseUrl": "/user/me/"}</script>';
      const page = `<!DOCTYPE html><html><head><meta charset="utf-8">${config}</head><body>${html}</body></html>`;
      const served: string[] = [];
      const server = http.createServer((req, res) => {
        served.push(req.url ?? '');
        if (req.url === `/user/me/files/course%20work/${PLOTLY_COPY}`) {
          res.writeHead(200, { 'content-type': 'text/javascript' });
          fs.createReadStream(plotlyJsPath()).pipe(res);
        } else if (req.url?.startsWith('/user/me/lab/tree/')) {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(page);
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      try {
        const tab = await browser.newPage();
        await tab.goto(`http://127.0.0.1:${port}/user/me/lab/tree/course%20work/nb.ipynb`);
        await tab.waitForFunction(() => document.querySelectorAll('.main-svg').length >= 2, null, { timeout: 20_000 });
        expect(await tab.locator('.js-plotly-plot').count()).toBe(2);
        expect(served.filter((u) => u.includes('plotly'))).toEqual([`/user/me/files/course%20work/${PLOTLY_COPY}`]);
      } finally {
        await browser.close();
        server.close();
      }
    },
  );
});
