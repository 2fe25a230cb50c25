/**
 * Every notebook in notebooks/ executes headless in quick mode without error, through the
 * compiled runner (`npm test` builds first), one test per notebook, discovered at test time.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const RUNNER = path.join(ROOT, 'dist', 'scripts', 'run-notebooks.js');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
/** Quick mode promises ≤ ~90 s per notebook on an idle machine; CI machines are busier. */
const PER_NOTEBOOK_MS = 10 * 60_000;

const notebooks = fs.existsSync(NOTEBOOKS)
  ? fs
      .readdirSync(NOTEBOOKS)
      .filter((f) => f.endsWith('.ipynb'))
      .sort()
  : [];

describe('notebooks execute headless in quick mode', () => {
  it('notebooks/ holds notebooks and the runner is built', () => {
    expect(notebooks.length).toBeGreaterThan(0);
    expect(fs.existsSync(RUNNER), `${RUNNER} missing: run npm run build`).toBe(true);
  });

  for (const name of notebooks) {
    it(
      name,
      async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'notebooks-test-'));
        const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
          const child = spawn(process.execPath, [RUNNER, name, '--out', out], {
            cwd: ROOT,
            env: { ...process.env, BACKPROP_QUICK: '1' },
          });
          let output = '';
          child.stdout.on('data', (d: Buffer) => (output += d.toString()));
          child.stderr.on('data', (d: Buffer) => (output += d.toString()));
          child.on('error', reject);
          child.on('exit', (c) => resolve({ code: c, output }));
        });
        expect(code, output).toBe(0);
        const executed = JSON.parse(fs.readFileSync(path.join(out, 'notebooks', name), 'utf8')) as {
          cells: { cell_type: string; outputs?: { output_type: string }[] }[];
        };
        const errors = executed.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === 'error');
        expect(errors).toEqual([]);
        // The runner ends by writing the book: this notebook's page, with all of its maths typeset.
        const page = fs.readFileSync(path.join(out, 'book', name.replace(/\.ipynb$/, '.html')), 'utf8');
        expect(page).not.toContain('class="math-error"');
        expect(output).not.toContain('maths error');
        fs.rmSync(out, { recursive: true, force: true });
      },
      PER_NOTEBOOK_MS,
    );
  }
});
