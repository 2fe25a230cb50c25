import { afterEach, describe, expect, it, vi } from 'vitest';
import { PNG } from 'pngjs';
import { show, showMarkdown, showTable, progress, lineChart, heatmap, barChart, imageGrid } from '../lib';
import { PLOTLY_MIME } from '../lib/display/show';
import { renderTable } from '../lib/display/table';

type Sent = { msg: { data: Record<string, unknown>; transient: { display_id?: string } }; update: boolean };

/** Pretends to be the tslab kernel: records what the library sends through its display writer. */
function recordDisplays(): Sent[] {
  const sent: Sent[] = [];
  const jupyter = require('tslab/dist/jupyter');
  jupyter.lastWriteDisplayData = (msg: Sent['msg'], update: boolean) => sent.push({ msg, update });
  return sent;
}

afterEach(() => {
  require('tslab/dist/jupyter').lastWriteDisplayData = undefined;
});

describe('show', () => {
  it('sends one bundle with the plotly MIME type, an HTML fallback and text; plotly.js inline only once', () => {
    const sent = recordDisplays();
    const fig = lineChart({ series: { loss: [3, 2, 1] }, title: 'Loss' });
    show(fig);
    show(fig);
    expect(sent).toHaveLength(2);
    const [first, second] = sent.map((s) => s.msg.data);
    for (const b of [first, second]) {
      expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, 'text/html', 'text/plain'].sort());
      expect((b[PLOTLY_MIME] as { data: unknown[] }).data).toHaveLength(1);
      expect(b['text/plain']).toBe("Figure 'Loss' — 1 trace (scatter)");
      expect(b['text/html']).not.toMatch(/<script[^>]*\ssrc=/); // nothing fetched from anywhere
    }
    const html1 = first['text/html'] as string,
      html2 = second['text/html'] as string;
    expect(html1.length).toBeGreaterThan(1_000_000); // carries plotly.js
    expect(html2.length).toBeLessThan(10_000); // reuses window.Plotly
    expect(html2).not.toMatch(/https?:|require\(/); // our own markup: no URLs, no AMD loader
    expect(html1.match(/id="(backprop-fig-[^"]+)"/)![1]).not.toBe(html2.match(/id="(backprop-fig-[^"]+)"/)![1]);
  });
  it('outside a kernel prints the text summary to stdout instead', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      show(lineChart({ series: { a: [1, 2] }, title: 'plain node' }));
      expect(log).toHaveBeenCalledWith("Figure 'plain node' — 1 trace (scatter)");
    } finally {
      log.mockRestore();
    }
  });
  it("uses whichever tslab copy runs the kernel (a global 'tslab install' loads another one)", () => {
    const file = '/usr/lib/node_modules/tslab/dist/jupyter.js';
    const sent: unknown[] = [];
    require.cache[file] = { exports: { lastWriteDisplayData: (msg: unknown) => sent.push(msg) } } as NodeJS.Module;
    try {
      showMarkdown('from a global kernel');
      expect(sent).toHaveLength(1);
    } finally {
      delete require.cache[file];
    }
  });
  it('rejects something that is not a figure, naming the function', () => {
    expect(() => show([1, 2] as never)).toThrow(/^show: argument 'figure' expected/);
  });
  it('markdown goes out as text/markdown', () => {
    const sent = recordDisplays();
    showMarkdown('**3.2%** error');
    expect(sent[0].msg.data['text/markdown']).toBe('**3.2%** error');
  });
});

describe('progress', () => {
  it('creates one display entry and updates it in place, ending at the final step', async () => {
    const sent = recordDisplays();
    const p = progress({ total: 3, label: 'training' });
    p.update(1, { loss: 2.5 });
    await new Promise((r) => setTimeout(r, 220));
    p.update(2, { loss: 1.5 });
    p.update(3, { loss: 0.5 });
    p.done('done');
    const ids = new Set(sent.map((s) => s.msg.transient.display_id));
    expect(ids.size).toBe(1);
    expect(sent[0].update).toBe(false);
    expect(sent.slice(1).every((s) => s.update)).toBe(true);
    const last = sent[sent.length - 1].msg.data['text/plain'] as string;
    expect(last).toMatch(/training: 3\/3/);
    expect(last).toMatch(/loss 0\.5000/);
    expect(() => progress({ total: 0 })).toThrow(/progress: argument 'total' expected an integer >= 1/);
  });

  it('resumed at a step, counts speed and time left from there', async () => {
    const sent = recordDisplays();
    const p = progress({ total: 1000, label: 'resumed', first: 900 });
    await new Promise((r) => setTimeout(r, 250));
    p.update(950);
    p.done();
    const last = sent[sent.length - 1].msg.data['text/plain'] as string;
    const [, rate] = /(\d+(?:\.\d+)?) steps\/s/.exec(last)!;
    expect(Number(rate)).toBeGreaterThan(50); // 50 steps in ≈ 0.25 s, not 950
    expect(Number(rate)).toBeLessThan(250);
    expect(last).toMatch(/eta \d\.\ds/); // ≈ 0.25 s for the last 50 steps
    expect(() => progress({ total: 10, first: 11 })).toThrow("progress: argument 'first'");
  });
});

describe('tables', () => {
  it('renders rows and danfojs DataFrames to HTML and aligned text', async () => {
    const rows = [
      { model: 'rnn', bleu1: 0.51234 },
      { model: 'lstm', bleu1: 0.6 },
    ];
    const { html, text } = renderTable(rows, { caption: 'BLEU', digits: 2 });
    expect(html).toContain('<th style="text-align:right">bleu1</th>');
    expect(html).toContain('<td style="text-align:right">0.51</td>');
    expect(text.split('\n')).toEqual(['BLEU', 'model  bleu1', '-----  -----', 'rnn     0.51', 'lstm    0.60']);
    const dfd = await import('danfojs-node');
    const df = new dfd.DataFrame(rows);
    expect(renderTable(df as never, { digits: 2 }).text).toContain('lstm    0.60');
    const sent = recordDisplays();
    showTable(rows);
    expect(Object.keys(sent[0].msg.data).sort()).toEqual(['text/html', 'text/plain']);
  });
});

describe('chart builders', () => {
  it('build plotly figures and validate their arguments', () => {
    expect(lineChart({ x: [0, 1], series: { a: [1, 2], b: [3, 4] }, logY: true }).layout!.yaxis).toMatchObject({
      type: 'log',
    });
    const logX = lineChart({ x: [4, 64, 1024], series: { a: [1, 2, 3] }, logX: true }).layout!;
    expect([logX.xaxis, logX.yaxis]).toMatchObject([{ type: 'log' }, { type: 'linear' }]);
    expect(lineChart({ series: { a: [1, 2] } }).layout!.xaxis).toMatchObject({ type: 'linear' });
    expect(
      heatmap(
        [
          [1, 2],
          [3, 4],
        ],
        { x: [0, 1], y: [0, 1] },
      ).layout!.xaxis,
    ).toMatchObject({ tickmode: 'array', tickvals: [0, 1] });
    expect(() => lineChart({ x: [0, 1, 2], series: { a: [1, 2] } })).toThrow(
      "lineChart: argument 'x' has length 3 but series have lengths [2]",
    );
    expect(
      heatmap(
        [
          [1, 2],
          [3, 4],
        ],
        { x: ['a', 'b'] },
      ).data[0],
    ).toMatchObject({ type: 'heatmap' });
    expect(() => heatmap([[1, 2], [3]])).toThrow(/heatmap: argument 'z' expected rows of equal length 2/);
    expect(barChart({ categories: ['a'], series: { s: [1] }, xTitle: 'class' }).layout!.xaxis).toMatchObject({
      title: { text: 'class' },
    });
    expect(() => barChart({ categories: ['a'], series: { s: [1, 2] } })).toThrow(
      "barChart: argument 'series.s' expected length 1 but got 2",
    );
    const grid = imageGrid(
      [{ pixels: new Uint8Array(2 * 2 * 3).fill(200), height: 2, width: 2, caption: 'a red bag' }],
      { columns: 1 },
    );
    expect(grid.data[0]).toMatchObject({ type: 'image' });
    // the image travels as a PNG data URI that decodes to exactly the pixels given
    const source = (grid.data[0] as { source: string }).source;
    expect(source.startsWith('data:image/png;base64,')).toBe(true);
    const decoded = PNG.sync.read(Buffer.from(source.split(',')[1], 'base64'));
    expect([decoded.width, decoded.height]).toEqual([2, 2]);
    expect(Array.from(decoded.data.filter((_, i) => i % 4 !== 3))).toEqual(Array(12).fill(200));
    expect((grid.layout!.annotations as Array<{ text: string }>)[0].text).toBe('a red bag');
    expect(() => imageGrid([{ pixels: new Uint8Array(5), height: 2, width: 2 }])).toThrow(
      "imageGrid: argument 'images[0].pixels' expected 2*2*3 = 12 values but got 5",
    );
  });
});
