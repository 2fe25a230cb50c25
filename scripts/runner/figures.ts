/**
 * Every plotly figure of an executed notebook, written out as `figure-<k>.json` (the spec)
 * and `figure-<k>.html` (a page loading the one shared `../plotly.min.js`, which works offline
 * from file://), plus `figure-<k>.png`
 * rendered by headless Chromium when one is installed — that PNG is also added to the
 * figure's display bundle as `image/png`, so viewers that strip scripts (GitHub, nbviewer)
 * still show the figure, and replaces the bundle's inline-plotly HTML fallback.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { BrowserContext } from 'playwright-core';
import { figurePageHtml, figureTitle, plotlyJsPath, PlotlyFigure } from '../../lib/display/figurePage';
import { findChromium } from '../../lib/display/figurePng';
import { PLOTLY_MIME } from '../../lib/display/show';
import { displayBundles, Notebook } from './nbformat';

export { findChromium };

export interface FigureFiles {
  k: number;
  title: string;
  json: string;
  html: string;
  png?: string;
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One headless Chromium (fresh profile) for all PNGs of a run; started on first use. */
export class PngRenderer {
  private context: Promise<BrowserContext> | null = null;
  private profile: string | null = null;

  constructor(private readonly executablePath: string) {}

  private open(): Promise<BrowserContext> {
    if (!this.context) {
      this.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-lab-chromium-'));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { chromium } = require('playwright-core') as typeof import('playwright-core');
      this.context = chromium.launchPersistentContext(this.profile, {
        executablePath: this.executablePath,
        args: CHROMIUM_ARGS,
        headless: true,
        viewport: { width: 1000, height: 700 },
      });
    }
    return this.context;
  }

  /** Screenshots the plot of a figure page into `pngPath`. */
  async render(htmlPath: string, pngPath: string): Promise<void> {
    const context = await this.open();
    const page = await context.newPage();
    try {
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
      const plot = page.locator('.js-plotly-plot').first();
      await plot.locator('.main-svg').first().waitFor({ state: 'attached', timeout: 30_000 });
      await plot.screenshot({ path: pngPath, animations: 'disabled' });
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    if (this.context) await (await this.context).close();
    if (this.profile) fs.rmSync(this.profile, { recursive: true, force: true });
    this.context = null;
    this.profile = null;
  }
}

/** The one copy of plotly.js in a run's output, beside the notebooks' figure folders. */
export const SHARED_PLOTLY = 'plotly.min.js';

/**
 * Makes sure `<figuresDir>/plotly.min.js` is this library's plotly.js (copied when missing or
 * different) and returns its path: the figure pages and the book's pages all load this copy.
 */
export function writeSharedPlotly(figuresDir: string): string {
  const shared = path.join(figuresDir, SHARED_PLOTLY);
  if (!fs.existsSync(shared) || fs.statSync(shared).size !== fs.statSync(plotlyJsPath()).size) {
    fs.mkdirSync(figuresDir, { recursive: true });
    fs.copyFileSync(plotlyJsPath(), shared);
  }
  return shared;
}

/**
 * Writes the figures of `nb` into `dir` (emptied first) and, with a renderer, adds each
 * PNG to its bundle in `nb` (the caller writes the notebook back).
 */
export async function exportFigures(
  nb: Notebook,
  stem: string,
  dir: string,
  renderer: PngRenderer | null,
): Promise<FigureFiles[]> {
  fs.rmSync(dir, { recursive: true, force: true });
  const figures: FigureFiles[] = [];
  const bundles = displayBundles(nb).filter(({ output }) => output.data[PLOTLY_MIME] !== undefined);
  if (bundles.length === 0) return figures;
  fs.mkdirSync(dir, { recursive: true });
  writeSharedPlotly(path.dirname(dir));
  for (const [i, { output }] of bundles.entries()) {
    const k = i + 1;
    const raw = output.data[PLOTLY_MIME];
    const fig = (typeof raw === 'string' ? JSON.parse(raw) : raw) as PlotlyFigure;
    const title = figureTitle(fig) ?? `${stem} — figure ${k}`;
    const files: FigureFiles = {
      k,
      title,
      json: path.join(dir, `figure-${k}.json`),
      html: path.join(dir, `figure-${k}.html`),
    };
    fs.writeFileSync(files.json, JSON.stringify(fig) + '\n');
    fs.writeFileSync(files.html, figurePageHtml(fig, title, `../${SHARED_PLOTLY}`));
    if (renderer) {
      const png = path.join(dir, `figure-${k}.png`);
      await renderer.render(files.html, png);
      output.data['image/png'] = fs.readFileSync(png).toString('base64');
      // With a PNG to fall back on, the executed copy drops the HTML fallback, which inlines
      // plotly.js (4.6 MB) in a notebook's first figure: front ends draw the plotly MIME type
      // (JupyterLab's plotly extension, VS Code, the book) or show the PNG.
      delete output.data['text/html'];
      files.png = png;
    }
    figures.push(files);
  }
  return figures;
}
