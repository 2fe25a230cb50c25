/**
 * A figure as a PNG drawn by headless Chromium, for notebooks saved from an interactive Jupyter
 * session: viewers that strip scripts (GitHub, nbviewer) then still show the figure, as they do
 * in the runner's executed copies. Opt-in — `BACKPROP_FIGURE_PNG=1` in the environment Jupyter
 * starts the kernel from — because each figure costs one Chromium start (about 1.5 s); the
 * notebook runner renders its PNGs itself, in one browser for the whole run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { figurePageHtml, figureTitle, plotlyJsPath, type PlotlyFigure } from './figurePage';

/** Chromium used for PNGs: `CHROMIUM_PATH`, else /usr/bin/chromium; null when neither exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const p of [env.CHROMIUM_PATH, '/usr/bin/chromium']) {
    if (p && fs.existsSync(p)) return p;
  }
  return null;
}

/** Whether the kernel's figures should carry PNGs (`BACKPROP_FIGURE_PNG=1`). */
export function figurePngRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BACKPROP_FIGURE_PNG === '1';
}

/** The browser window the figure is drawn in: plotly's default height unless the layout sets one. */
const WINDOW_WIDTH = 900;
const PAGE_MARGIN = 16; // figurePageHtml's body margin

/**
 * `figure` drawn as a static plot (no mode bar) by `chromium --headless --screenshot`, as PNG
 * bytes; null when Chromium fails or times out (the figure is then shown without a PNG).
 */
export function renderFigurePng(figure: PlotlyFigure, chromium: string): Buffer | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-figure-'));
  try {
    const page = path.join(dir, 'figure.html');
    const png = path.join(dir, 'figure.png');
    const staticFigure = { ...figure, config: { ...(figure.config ?? {}), staticPlot: true } };
    const plotly = pathToFileURL(plotlyJsPath()).href;
    fs.writeFileSync(page, figurePageHtml(staticFigure, figureTitle(figure) ?? 'figure', plotly));
    const height = (Number(figure.layout?.height) || 450) + 2 * PAGE_MARGIN;
    const result = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        `--window-size=${WINDOW_WIDTH},${height}`,
        '--virtual-time-budget=10000',
        `--screenshot=${png}`,
        pathToFileURL(page).href,
      ],
      { timeout: 60_000, stdio: 'ignore' },
    );
    return result.status === 0 && fs.existsSync(png) ? fs.readFileSync(png) : null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
