/**
 * The offline book (`out/book/`): unit checks of its maths, outputs and README parsing, then
 * the book the compiled runner (`npm test` builds first) writes after executing fixture
 * notebooks into a temp dir — run metadata, pages, links, the `book` script rebuilding it
 * without running anything — and those pages in headless Chromium with all network blocked:
 * equations typeset, plotly traces drawn, the audio player playable, no console errors.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineChart } from '../lib';
import { renderTable } from '../lib/display/table';
import { figureBundle, PLOTLY_MIME } from '../lib/display/show';
import { Heading, Slugger, renderMarkdown } from '../scripts/book/markdown';
import { protectMath } from '../scripts/book/math';
import { renderBundle, renderOutputs, OutputContext } from '../scripts/book/outputs';
import { topicsTableMarkdown } from '../scripts/book/indexPage';
import { htmlText, pageSearchDocs } from '../scripts/book/search';
import { Output, readNotebook, runnableCells } from '../scripts/runner/nbformat';
import { readRunMetadata, startRunMetadata } from '../scripts/runner/runMetadata';
import { failIfMissingUnderCi } from './helpers';

const ROOT = path.resolve(__dirname, '..');
const RUNNER = path.join(ROOT, 'dist', 'scripts', 'run-notebooks.js');
const BOOK_CLI = path.join(ROOT, 'dist', 'scripts', 'book.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');
/** Where each fixture notebook lives (book.ipynb in its own folder, so the runner's fixture list stays as it is). */
const SOURCES: Record<string, string> = {
  book: path.join(FIXTURES, 'book', 'book.ipynb'),
  ok: path.join(FIXTURES, 'ok.ipynb'),
  throws: path.join(FIXTURES, 'throws.ipynb'),
  'type-error': path.join(FIXTURES, 'type-error.ipynb'),
};
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
/** The fixture notebooks of the book, in the order the runner (and the book) takes them. */
const STEMS = ['book', 'ok', 'throws', 'type-error'];

const markdownContext = (pages: string[] = []) => ({
  slugger: new Slugger(),
  headings: [] as Heading[],
  mathErrors: [],
  pages: new Set(pages),
});
const outputContext = (): OutputContext => ({ markdown: markdownContext(), figures: [] });

function run(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('maths in markdown', () => {
  it('cuts out $…$, $$…$$, \\(…\\), \\[…\\] and \\begin…\\end, but not code, escaped or price dollars', () => {
    const src = [
      'Inline $a_{i}*b$ and \\(x\\), prices $5 and $6, `$code$` and \\$7.',
      '',
      '$$',
      'x_{ij} = 1',
      '$$',
      '',
      '\\[ y \\] \\begin{aligned} a &= b \\end{aligned}',
      '',
      '```ts',
      'const s = "$not math$";',
      '```',
    ].join('\n');
    const { markdown, math } = protectMath(src);
    expect(math).toEqual([
      { tex: 'a_{i}*b', display: false },
      { tex: 'x', display: false },
      { tex: '\nx_{ij} = 1\n', display: true },
      { tex: ' y ', display: true },
      { tex: '\\begin{aligned} a &= b \\end{aligned}', display: true },
    ]);
    expect(markdown).toContain('prices $5 and $6, `$code$` and \\$7.');
    expect(markdown).toContain('const s = "$not math$";');
  });

  it(
    'renders maths with KaTeX (display maths not inside a <p>), ' +
      'keeps emphasis out of TeX, and gives headings unique ids',
    () => {
      const ctx = markdownContext(['01_rnn']);
      const html = renderMarkdown(
        '# A $x_1$ title\n\n$a_i * b_i * c$ and [next](01_rnn.ipynb#one), ' +
          '[gone](02_x.ipynb)\n\n$$\n\\sum_i x_i\n$$\n\n## A $x_1$ title',
        ctx,
      );
      expect(html).not.toContain('$');
      expect(html).not.toContain('<em>');
      expect(html).toMatch(/<span class="katex-display">/);
      expect(html).not.toMatch(/<p>\s*<span class="katex-display">/);
      expect(html).toContain('href="01_rnn.html#one"');
      expect(html).not.toContain('02_x.ipynb');
      expect(ctx.headings.map((h) => h.id)).toEqual(['a-x-1-title', 'a-x-1-title-2']);
      expect(ctx.mathErrors).toEqual([]);
    },
  );

  it('keeps inline maths on one line with the punctuation that touches it, adjacent spans included', () => {
    const html = renderMarkdown('a $x$,$y$ and (shape $[N, H]$), done', markdownContext());
    expect(html).not.toContain('KATEXMATH');
    expect(html.match(/<span class="katex">/g)).toHaveLength(3);
    expect(html).toMatch(/<span class="nowrap">\(?<span class="katex">/);
    expect(html).toMatch(/<\/span>\),<\/span> done/);
  });

  it('records maths KaTeX cannot parse and marks it on the page', () => {
    const ctx = markdownContext();
    const html = renderMarkdown('bad $\\frac{1}{$ here', ctx);
    expect(ctx.mathErrors).toHaveLength(1);
    expect(html).toContain('class="math-error"');
  });
});

describe('outputs', () => {
  it('prefers audio/wav to its HTML fallback, and a plotly figure to its 4.6 MB inline-plotly fallback', () => {
    const audio = renderBundle(
      { 'audio/wav': 'UklGRg==', 'text/html': '<audio src="fallback"></audio>', 'text/plain': 'tone' },
      outputContext(),
    );
    expect(audio).toContain('<audio controls preload="metadata" src="data:audio/wav;base64,UklGRg=="></audio>');
    expect(audio).not.toContain('fallback');
    const titled = renderBundle(
      {
        'audio/wav': 'UklGRg==',
        'text/html': '<figure><figcaption style="x">natural &amp; teacher</figcaption><audio src="f"></audio></figure>',
      },
      outputContext(),
    );
    expect(titled).toContain('<figcaption>natural &amp; teacher</figcaption><audio controls');
    const table = renderBundle(
      { 'text/html': renderTable([{ a: 1 }], { csv: 'out/tables/06_tacotron_kd/x.csv' }).html },
      outputContext(),
    );
    expect(table).toContain(
      '<a href="../tables/06_tacotron_kd/x.csv" data-csv="out/tables/06_tacotron_kd/x.csv">CSV</a>',
    );

    const bundle = figureBundle(lineChart({ series: { a: [1, 2, 3] }, title: 'A title' }));
    expect((bundle['text/html'] as string).length).toBeGreaterThan(1_000_000); // the fallback this test keeps out
    const ctx = outputContext();
    const fig = renderBundle(bundle, ctx);
    expect(fig.length).toBeLessThan(5_000);
    expect(fig).toContain('id="figure-1"');
    expect(ctx.figures).toEqual([{ k: 1, id: 'figure-1', title: 'A title' }]);
    expect(
      JSON.parse(/<script type="application\/json" class="plotly-spec">(.*)<\/script>/.exec(fig)![1]).data,
    ).toEqual((bundle[PLOTLY_MIME] as { data: unknown }).data);
  });

  it('keeps output order, strips ANSI codes and shows errors as errors', () => {
    const outputs: Output[] = [
      { output_type: 'stream', name: 'stdout', text: ['\u001b[31mred\u001b[0m ', 'line\n'] },
      { output_type: 'display_data', data: { 'text/markdown': 'is $x^2$', 'text/plain': 'x' }, metadata: {} },
      { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '42' }, metadata: {} },
      { output_type: 'error', ename: 'Error', evalue: 'boom <b>', traceback: ['\u001b[1mat cell\u001b[0m'] },
    ];
    const html = renderOutputs(outputs, outputContext());
    const order = ['red line', 'class="katex"', '>42<', 'class="output error"'].map((s) => html.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).not.toContain('\u001b');
    expect(html).toContain('Error: boom &lt;b&gt;');
    expect(html).toContain('at cell');
  });
});

describe('search', () => {
  it('cuts a page into its h2 sections, as text without tags, maths markup or scripts', () => {
    const body =
      '<h1 id="t">T</h1><p>Intro &amp; more</p><h2 id="a-b">A <em>b</em></h2><p>x <script>no()</script>y</p>' +
      '<span class="katex-mathml"><math>hidden</math></span><h2 id="c">C</h2><pre>code &lt;T&gt;</pre>';
    expect(pageSearchDocs({ stem: '01 x', title: 'Page', body })).toEqual([
      { href: '01%20x.html', title: 'Page', text: 'T Intro & more' },
      { href: '01%20x.html#a-b', title: 'Page — A b', text: 'x y' },
      { href: '01%20x.html#c', title: 'Page — C', text: 'code <T>' },
    ]);
    expect(htmlText('<b>a</b>&quot;b&quot;')).toBe('a "b"');
  });
});

describe("the README's topics table", () => {
  it('is read from README.md, every notebook row kept, notebook names linked only where the book has a page', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = topicsTableMarkdown(readme, new Set(['00_getting_started']));
    expect(table).not.toBeNull();
    const rows = table!.split('\n');
    const stems = fs
      .readdirSync(path.join(ROOT, 'notebooks'))
      .filter((f) => f.endsWith('.ipynb'))
      .map((f) => f.replace('.ipynb', ''));
    for (const stem of stems)
      expect(
        rows.some((r) => r.includes(`\`${stem}\``)),
        stem,
      ).toBe(true);
    expect(table).toContain('[`00_getting_started`](00_getting_started.html)');
    expect(table).not.toContain('(01_rnn_backprop.html)');
    expect(topicsTableMarkdown('# x\n\nno table here', new Set())).toBeNull();
  });
});

describe('run metadata', () => {
  it('names the commit of a git checkout (and none elsewhere), the mode, and leaves every cell not yet run', () => {
    const here = startRunMetadata(ROOT, 3);
    expect(here.commit).toMatch(/^[0-9a-f]{7,40}$/);
    expect(here.cellSeconds).toEqual([null, null, null]);
    expect(here.backend).toBeNull();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'book-nogit-'));
    expect(startRunMetadata(dir, 0).commit).toBeNull();
    fs.rmSync(dir, { recursive: true });
  });
});

describe('the book of executed fixture notebooks', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'book-test-'));
  const src = path.join(dir, 'notebooks');
  const out = path.join(dir, 'out');
  const book = path.join(out, 'book');
  const page = (stem: string): string => path.join(book, `${stem}.html`);
  let runOutput = '';
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    for (const f of [RUNNER, BOOK_CLI])
      if (!fs.existsSync(f)) throw new Error(`${f} is missing: build first (npm run build, or npm test)`);
    fs.mkdirSync(src);
    // The kernel resolves 'backprop-lab' and 'wavefile' from the notebook's directory upwards.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    for (const stem of STEMS) fs.copyFileSync(SOURCES[stem], path.join(src, `${stem}.ipynb`));
    const r = await run(RUNNER, ['--dir', src, '--out', out], { BACKPROP_QUICK: '1' });
    runOutput = r.output;
    expect(r.code, r.output).toBe(1); // throws and type-error fail, by design
  }, 600_000);

  it('the runner records mode, backend, date and seconds per cell in each executed notebook', () => {
    const nb = readNotebook(path.join(out, 'notebooks', 'book.ipynb'));
    const meta = readRunMetadata(nb)!;
    expect(meta.mode).toBe('quick');
    expect(meta.backend).toMatch(/^(wasm|cpu|tensorflow)\b/);
    expect(Date.now() - Date.parse(meta.date)).toBeLessThan(30 * 60_000);
    expect(meta.commit).toBeNull(); // the sources were copied out of the git checkout
    expect(meta.cellSeconds).toHaveLength(runnableCells(nb).length);
    expect(meta.cellSeconds.every((s) => typeof s === 'number' && s > 0)).toBe(true);

    const failed = readRunMetadata(readNotebook(path.join(out, 'notebooks', 'throws.ipynb')))!;
    expect(failed.backend).toBeNull(); // never initialised one
    expect(failed.cellSeconds.map((s) => s === null)).toEqual([false, false, true]);
  });

  it('writes an index and one page per notebook, plotly.js once in the whole output, pages small', () => {
    expect(runOutput).toContain('book:');
    for (const stem of STEMS) expect(fs.existsSync(page(stem)), stem).toBe(true);
    const filesNamed = (dir: string, name: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) =>
          e.isDirectory() ? filesNamed(path.join(dir, e.name), name) : e.name === name ? [path.join(dir, e.name)] : [],
        );
    // the figure pages and the book's pages share one copy of plotly.js
    expect(filesNamed(out, 'plotly.min.js')).toEqual([path.join(out, 'figures', 'plotly.min.js')]);
    expect(fs.statSync(path.join(out, 'figures', 'plotly.min.js')).size).toBeGreaterThan(3_000_000);
    for (const stem of STEMS) {
      const html = fs.readFileSync(page(stem), 'utf8');
      expect(html.length, stem).toBeLessThan(200_000);
      expect(html).not.toContain('plotly.js v'); // the library's banner: never inlined
    }
    expect(fs.readFileSync(page('book'), 'utf8')).toContain('<script src="../figures/plotly.min.js"></script>');
    expect(fs.readFileSync(page('index'), 'utf8')).not.toContain('plotly.min.js');
    expect(
      fs.readdirSync(path.join(book, 'assets', 'katex', 'fonts')).filter((f) => f.endsWith('.woff2')).length,
    ).toBeGreaterThan(10);
  });

  it('each page shows its run line, contents and cell timings; a failure is shown as an error', () => {
    const html = fs.readFileSync(page('book'), 'utf8');
    expect(html).toMatch(/<strong>quick<\/strong> mode · backend (wasm|cpu|tensorflow)/);
    expect(html).toContain(' · not from a git checkout · ');
    expect(html).toMatch(/\[2\] · \d+\.\d+ s/);
    expect(html).toContain('<nav class="toc"');
    expect(html).toContain('<a href="#a-figure">A figure</a>');
    expect(html).toContain('The executed notebook: <a href="../notebooks/book.ipynb">book.ipynb</a>');
    expect(html).toContain('<code>BACKPROP_QUICK=1 npm run notebooks -- book</code>');
    const throws = fs.readFileSync(page('throws'), 'utf8');
    expect(throws).toContain('failed in <a href="#cell-2">cell 2</a>');
    expect(throws).toMatch(/<div class="output error" role="alert"><div class="error-head">Error: fixture failure 3/);
    expect(throws).toMatch(/\[3\] · <span class="not-run">not run<\/span>/);
    expect(fs.readFileSync(page('type-error'), 'utf8')).toContain('TypeScriptCompileError');
  });

  it(
    'every relative link, image, script and stylesheet resolves, ' +
      'anchors included; prev/next follow notebook order',
    () => {
      const files = fs.readdirSync(book).filter((f) => f.endsWith('.html'));
      expect(files.sort()).toEqual(['index.html', ...STEMS.map((s) => `${s}.html`)].sort());
      for (const f of files) {
        const html = fs.readFileSync(path.join(book, f), 'utf8');
        for (const [, url] of html.matchAll(/(?:href|src)="([^"]+)"/g)) {
          if (/^(data|https?|mailto):/.test(url)) continue;
          const [target, anchor] = url.split('#');
          const file = target === '' ? path.join(book, f) : path.join(book, decodeURIComponent(target));
          expect(fs.existsSync(file), `${f} → ${url}`).toBe(true);
          if (anchor) expect(fs.readFileSync(file, 'utf8'), `${f} → ${url}`).toContain(`id="${anchor}"`);
        }
      }
      STEMS.forEach((stem, i) => {
        const html = fs.readFileSync(page(stem), 'utf8');
        const rel = (r: string): string[] =>
          [...html.matchAll(new RegExp(`rel="${r}" href="([^"]+)"`, 'g'))].map((m) => m[1]);
        expect(rel('prev'), stem).toEqual(i > 0 ? Array(2).fill(`${STEMS[i - 1]}.html`) : []);
        expect(rel('next'), stem).toEqual(i < STEMS.length - 1 ? Array(2).fill(`${STEMS[i + 1]}.html`) : []);
        expect(html).toContain('href="index.html"');
      });
      const index = fs.readFileSync(path.join(book, 'index.html'), 'utf8');
      for (const stem of STEMS) expect(index).toContain(`<a href="${stem}.html">`);
      expect(index).toContain('<h2 id="topics">Topics</h2>');
      expect(index).toContain('Used by <code>test/book.test.ts</code>'); // the first paragraph
    },
  );

  it('`book` rebuilds the book from the executed notebooks without running them', async () => {
    const executed = path.join(out, 'notebooks', 'book.ipynb');
    const before = fs.statSync(executed).mtimeMs;
    const html = fs.readFileSync(page('book'), 'utf8');
    fs.rmSync(book, { recursive: true });
    fs.writeFileSync(
      path.join(out, 'notebooks', 'renamed.ipynb'),
      fs.readFileSync(path.join(out, 'notebooks', 'ok.ipynb')),
    );
    const r = await run(BOOK_CLI, ['--out', out, '--dir', src]);
    expect(r.code, r.output).toBe(0);
    expect(fs.readFileSync(page('book'), 'utf8')).toBe(html);
    expect(fs.existsSync(path.join(book, 'renamed.html'))).toBe(false); // an executed copy whose source is gone
    expect(fs.statSync(executed).mtimeMs).toBe(before);
  });

  failIfMissingUnderCi(fs.existsSync(CHROMIUM), CHROMIUM);
  describe.skipIf(!fs.existsSync(CHROMIUM))('in headless Chromium with all network blocked', () => {
    let browser: import('playwright-core').Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    });
    afterAll(async () => browser?.close());

    /** Opens a book page; returns the page, the console errors and every blocked (non-file) request. */
    async function open(file: string) {
      const p = await browser.newPage();
      const errors: string[] = [];
      const blocked: string[] = [];
      p.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      p.on('pageerror', (e) => void errors.push(e.message));
      await p.route('**', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      await p.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      return { p, errors, blocked };
    }

    it(
      'a page typesets its equations with the bundled KaTeX fonts, ' + 'draws its plotly traces and plays its audio',
      async () => {
        const { p, errors, blocked } = await open(page('book'));
        await p.waitForSelector('.main-svg g.trace', { timeout: 30_000 });
        expect(await p.locator('figure.plot .js-plotly-plot').count()).toBe(1);
        expect(await p.locator('.main-svg g.trace').count()).toBeGreaterThanOrEqual(2);
        expect(await p.locator('.katex-display').count()).toBeGreaterThanOrEqual(3);
        expect(await p.locator('.katex').count()).toBeGreaterThanOrEqual(6);
        // Prose and outputs: everything but code (the cells' sources hold TeX in template strings).
        const text = await p.evaluate(() => {
          const main = document.querySelector('main')!.cloneNode(true) as HTMLElement;
          main.querySelectorAll('pre.source, code').forEach((c) => c.remove());
          document.body.append(main);
          const t = main.innerText;
          main.remove();
          return t;
        });
        expect(text).not.toContain('$$');
        expect(text).not.toMatch(/\$x|\\frac|\\begin/);
        expect(text).toContain('Prices like $5 and $6 stay text');
        const katexFont = await p.evaluate(async () => {
          await document.fonts.ready;
          let loaded = false;
          document.fonts.forEach(
            (f) => void (f.family.replace(/"/g, '') === 'KaTeX_Main' && f.status === 'loaded' && (loaded = true)),
          );
          return loaded;
        });
        expect(katexFont).toBe(true);
        const duration = await p.evaluate(
          () =>
            new Promise<number | string>((resolve) => {
              const audio = document.querySelector('audio')!;
              if (audio.readyState >= 1) return resolve(audio.duration);
              audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
              audio.addEventListener('error', () => resolve(`error ${audio.error?.code}`));
              audio.load();
            }),
        );
        expect(duration).toBeCloseTo(0.25, 2);
        expect(errors).toEqual([]);
        expect(blocked).toEqual([]);
        await p.close();
      },
    );

    it('the index shows its figure thumbnails, and every page opens without console errors', async () => {
      const { p, errors, blocked } = await open(path.join(book, 'index.html'));
      const thumbs = await p.evaluate(() =>
        Promise.all(
          Array.from(document.querySelectorAll<HTMLImageElement>('.thumbs img')).map((img) => {
            img.loading = 'eager'; // thumbnails load lazily, when scrolled to
            return img.decode().then(
              () => img.naturalWidth > 0,
              () => false,
            );
          }),
        ),
      );
      expect(thumbs.length).toBe(2); // book and ok have one figure each, rendered to PNG by the runner
      expect(thumbs.every(Boolean)).toBe(true);
      // The search box finds a section by a word of its text (prefix match), and links to it.
      await p.fill('#book-search', 'prices');
      const hits = await p.locator('#book-search-results a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(hits.length).toBeGreaterThan(0);
      expect(hits[0]).toMatch(/^book\.html(#[\w-]+)?$/);
      expect(errors).toEqual([]);
      expect(blocked).toEqual([]);
      await p.close();
      for (const stem of STEMS) {
        const o = await open(page(stem));
        await o.p.waitForTimeout(200);
        expect(o.errors, stem).toEqual([]);
        expect(o.blocked, stem).toEqual([]);
        await o.p.close();
      }
    });
  });
});
