/**
 * Coursework (coursework/assignments.json, `npm run release`, `npm run grade`):
 * - every solution region belongs to a function an assignment lists, and back;
 * - the grading checks pass on the solution (in-process, fast);
 * - a released assignment's stubbed lib compiles under the project's tsconfig, its notebooks
 *   carry valid nbgrader metadata, hidden tests stay out;
 * - the grader, run on the solution, gives full marks; on a submission whose LSTM gate backward
 *   drops the forget-gate factor of dc_prev and whose rnnStepForward never returns, it takes
 *   exactly the LSTM backward items and the rnnStepForward item (timeout), and still finishes.
 * The last two build and grade in subprocesses (≈ 1 min each on a busy 2-core machine).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../lib';
import { CHECKS } from '../coursework/checks';
import { runCheck } from '../coursework/checks/runItem';
import { inProcessStudent } from '../coursework/checks/studentLibrary';
import { findAssignment, loadAssignments, markerProblems } from '../scripts/coursework/assignments';
import { grade } from '../scripts/coursework/grade';
import { itemHitBySyntax, syntaxProblems } from '../scripts/coursework/gradeWorkspace';
import { findRegions, findRegionsInText, listTsFiles } from '../scripts/coursework/markers';
import { submissionWith } from './submissions';
import { releaseAssignment, writeNbgraderSource } from '../scripts/coursework/release';
import { stubCodeCell, validateNbgrader } from '../scripts/coursework/nbgrader';
import { moduleSummary } from '../scripts/coursework/studentReporter';
import { joinText, readNotebook } from '../scripts/runner/nbformat';

const root = path.resolve(__dirname, '..');
const all = loadAssignments(root);
const A1 = findAssignment(all, 'A1');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'coursework-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('solution markers', () => {
  it('every region is in a function an assignment lists, and every listed function has a region', () => {
    const regions = findRegions(root);
    expect(regions.length).toBeGreaterThan(40);
    expect(markerProblems(all, regions)).toEqual([]);
  });

  it('names a region by its declaration (and Class.member), and rejects unbalanced markers', () => {
    const text = 'export class C {\n  m() {\n    // BEGIN SOLUTION\n    return 1;\n    // END SOLUTION\n  }\n}\n';
    expect(findRegionsInText('x.ts', text).map((r) => r.owner)).toEqual(['C.m']);
    expect(markerProblems(all, findRegionsInText('x.ts', text))[0]).toContain('C.m, which no assignment lists');
    expect(() => findRegionsInText('x.ts', 'function f() {\n  // BEGIN SOLUTION\n}\n')).toThrow('never closed');
    expect(() => findRegionsInText('x.ts', 'function f() {\n  // END SOLUTION\n}\n')).toThrow('without a BEGIN');
  });
});

describe('what a release ships', () => {
  it('every dataset and checkpoint an assignment lists exists; notebook 04 gets the weights it loads', () => {
    for (const a of all) {
      for (const d of a.datasets) expect(fs.existsSync(path.join(root, 'datasets', d, 'manifest.json')), d).toBe(true);
      for (const c of a.checkpoints)
        expect(fs.existsSync(path.join(root, 'checkpoints', c, 'manifest.json')), c).toBe(true);
    }
    const A2 = findAssignment(all, 'A2');
    const nb04 = readNotebook(path.join(root, 'notebooks', '04_image_captioning.ipynb'));
    const code = nb04.cells.map((c) => joinText(c.source)).join('\n');
    expect(code).toContain('loadFeatureCnn(');
    expect(code).toContain('loadCaptionDecoder(');
    const decoders = ['rnn', 'lstm', 'attention'].flatMap((c) => [1, 2, 3].map((k) => `captioning-${c}-seed${k}`));
    expect(A2.checkpoints).toEqual(expect.arrayContaining(['captioning-cnn', ...decoders]));
  });
});

describe('grading checks on the solution', () => {
  for (const id of Object.keys(CHECKS)) {
    it(`${id} passes`, async () => {
      const r = await runCheck(id, inProcessStudent(lib), lib);
      expect(r.message).toBe('');
      expect(r.status).toBe('pass');
      expect(r.comparisons.length).toBeGreaterThan(0);
    });
  }
});

describe('release A1', () => {
  const out = path.join(tmp, 'a1');
  beforeAll(() => {
    releaseAssignment(root, all, A1, out, path.join(tmp, 'a1.zip'));
  }, 300_000);

  it('stubs every region: no solution marker left, each stub throws its TODO', () => {
    const stubbed = listTsFiles(out, 'lib')
      .map((f) => fs.readFileSync(path.join(out, f), 'utf8'))
      .join('\n');
    expect(stubbed).not.toContain('BEGIN SOLUTION');
    expect(stubbed).toContain("throw new Error('TODO: lstmBackward — see notebook 02, section 2');");
    expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toContain(
      '| `rnnStepForward` | see notebook 01, section 1 |',
    );
    expect(fs.statSync(path.join(tmp, 'a1.zip')).size).toBeGreaterThan(10_000);
  });

  it('a notebook solution cell of functions keeps their signatures; the README lists it; the book can build', () => {
    const nb = readNotebook(path.join(out, 'notebooks', '01_rnn_backprop.ipynb'));
    const stub = nb.cells.find((c) => (c.metadata?.nbgrader as { grade_id?: string })?.grade_id === 'mean-tanh-slope');
    expect(joinText(stub!.source)).toBe(
      'function meanSlope(inputScale: number, rho: number): number {\n' +
        '  // YOUR CODE HERE\n' +
        "  throw new Error('TODO: mean-tanh-slope — see notebook 01, section 4');\n" +
        '}',
    );
    expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toContain(
      '| `meanSlope` (notebook cell `mean-tanh-slope`) | see notebook 01, section 4 |',
    );
    expect(fs.existsSync(path.join(out, 'scripts', 'book', 'assets', 'book.css'))).toBe(true);
    expect(stubCodeCell('const x = 1;', 'm')).toBe("// YOUR CODE HERE\nthrow new Error('TODO: m');");
  });

  it("npm test's reporter: a line per test file naming the stubs its failures wait for", () => {
    expect(fs.readFileSync(path.join(out, 'vitest.config.mts'), 'utf8')).toContain(
      "reporters: ['./scripts/coursework/studentReporter.ts'],",
    );
    expect(fs.existsSync(path.join(out, 'scripts', 'coursework', 'studentReporter.ts'))).toBe(true);
    const todo = (fn: string) => `Error: TODO: ${fn} — see notebook 01, section 1`;
    expect(
      moduleSummary('test/rnn.test.ts', [
        { passed: true, errors: [] },
        { passed: false, errors: [todo('rnnStepForward')] },
        { passed: false, errors: [todo('rnnStepForward')] },
        { passed: false, errors: ['expected 1 to be 2'] },
      ]),
    ).toBe('✗ test/rnn.test.ts: 1/4 pass; 2 wait for rnnStepForward (see notebook 01, section 1); 1 fail otherwise');
    expect(moduleSummary('test/a.test.ts', [{ passed: true, errors: [] }])).toBe('✓ test/a.test.ts: 1/1 pass');
  });

  it('compiles under the project tsconfig (strict, noUnusedLocals)', () => {
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'));
    const tsc = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        'tsconfig.json',
        '--noEmit',
        '--pretty',
        'false',
      ],
      { cwd: out, encoding: 'utf8' },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 300_000);

  it(
    'ships visible tests only, ' + 'and notebooks with valid nbgrader metadata, stubbed solution cells and no outputs',
    () => {
      const tests = fs
        .readdirSync(path.join(out, 'test'))
        .filter((f) => f.endsWith('.test.ts'))
        .sort();
      expect(tests).toEqual(['lstm.test.ts', 'rnn.test.ts', 'temporal.test.ts']);
      // The grader's checks and the assignments file stay with the instructor; the float64
      // references the visible tests import (coursework/reference/) ship with them.
      expect(fs.existsSync(path.join(out, 'coursework', 'checks'))).toBe(false);
      expect(fs.existsSync(path.join(out, 'coursework', 'assignments.json'))).toBe(false);
      expect(fs.readdirSync(path.join(out, 'coursework'))).toEqual(['reference']);
      const studentScripts = (
        JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
      ).scripts;
      expect(studentScripts.test).toBe('npm run build --silent && tsc -p tsconfig.json --noEmit && vitest run');
      const nb = readNotebook(path.join(out, 'notebooks', '01_rnn_backprop.ipynb'));
      expect(validateNbgrader(nb)).toEqual([]);
      const graded = nb.cells.filter((c) => c.metadata.nbgrader);
      expect(graded.map((c) => (c.metadata.nbgrader as { grade_id: string }).grade_id)).toEqual([
        'rnn-step-gradcheck',
        'rnn-sequence-gradcheck',
        'mean-tanh-slope',
      ]);
      const solution = graded.find((c) => (c.metadata.nbgrader as { solution: boolean }).solution);
      expect(solution?.source).toContain(
        "  // YOUR CODE HERE\n  throw new Error('TODO: mean-tanh-slope — see notebook 01, section 4');",
      );
      expect(
        nb.cells.every((c) => c.cell_type !== 'code' || ((c.outputs ?? []).length === 0 && c.execution_count === null)),
      ).toBe(true);
    },
  );

  it('writes nbgrader source notebooks: same metadata, the solution kept between BEGIN/END SOLUTION', () => {
    writeNbgraderSource(root, A1, path.join(tmp, 'source', 'A1'));
    const nb = readNotebook(path.join(tmp, 'source', 'A1', '01_rnn_backprop.ipynb'));
    expect(validateNbgrader(nb)).toEqual([]);
    const solution = nb.cells.find((c) => (c.metadata.nbgrader as { solution?: boolean } | undefined)?.solution);
    expect(solution?.source).toMatch(/^\/\/ BEGIN SOLUTION\nfunction meanSlope[^]*\n\/\/ END SOLUTION$/);
  });

  it('the nbgrader validator rejects what nbgrader rejects', () => {
    const nb = readNotebook(path.join(out, 'notebooks', '01_rnn_backprop.ipynb'));
    const meta = (i: number): Record<string, unknown> => nb.cells[i].metadata.nbgrader as Record<string, unknown>;
    const tests = nb.cells.map((c, i) => (c.metadata.nbgrader ? i : -1)).filter((i) => i >= 0);
    delete meta(tests[0]).points;
    meta(tests[1]).grade_id = meta(tests[2]).grade_id;
    meta(tests[2]).extra = 1;
    expect(validateNbgrader(nb)).toEqual([
      expect.stringContaining('a grade cell needs points'),
      expect.stringContaining("unknown key 'extra'"),
      expect.stringContaining('duplicate grade_id'),
    ]);
  });
});

describe('syntax errors', () => {
  it('cost the items of the function holding them, or of their file when outside graded functions', () => {
    const dir = path.join(tmp, 'syntax');
    fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'lib', 'a.ts'),
      'export function f() {\n  return g(1;\n}\nexport function g(x: number) { return x; }\n',
    );
    fs.writeFileSync(path.join(dir, 'lib', 'b.ts'), 'export function h() { return 1; }\nconst broken = (;\n');
    const problems = syntaxProblems(dir);
    expect(problems.map((p) => [p.file, p.owner])).toEqual([
      ['lib/a.ts', 'f'],
      ['lib/b.ts', 'broken'],
    ]);
    const files: Record<string, string> = { f: 'lib/a.ts', g: 'lib/a.ts', h: 'lib/b.ts' };
    const covered = new Set(['f', 'g', 'h']);
    expect(itemHitBySyntax(problems, ['f'], covered, (n) => files[n])?.message).toBe(
      "syntax error at lib/a.ts:2:13: ')' expected.",
    );
    expect(itemHitBySyntax(problems, ['g'], covered, (n) => files[n])).toBeUndefined();
    expect(itemHitBySyntax(problems, ['h'], covered, (n) => files[n])?.file).toBe('lib/b.ts');
  });
});

describe('grading A1 (subprocesses)', () => {
  const opts = {
    assignment: A1,
    timeoutS: 20,
    memoryMb: 2048,
    cellTimeoutS: 60,
    jobs: 2,
    notebooks: false,
    keep: false,
    log: () => undefined,
  };

  it('the solution scores full marks', async () => {
    const r = await grade(root, submissionWith(tmp, 'solution', []), opts);
    expect(r.items.filter((i) => i.status !== 'pass').map((i) => `${i.id}: ${i.message}`)).toEqual([]);
    expect(r.score).toBe(r.maxScore);
    expect(r.maxScore).toBe(A1.items.reduce((s, i) => s + i.points, 0));
  }, 600_000);

  it(
    'no forget gate in dc_prev costs exactly the LSTM backward items; ' +
      'an endless rnnStepForward costs that item and grading finishes',
    async () => {
      const dir = submissionWith(tmp, 'mutant', [
        {
          owner: 'lstmGatesBackward',
          edit: (s) => s.replace(/const dprevC = tf\.mul\(dC, c\.f\)/, 'const dprevC = tf.clone(dC)'),
        },
        {
          owner: 'rnnStepForward',
          edit: (s) =>
            s.replace(
              '// BEGIN SOLUTION',
              '// BEGIN SOLUTION\n    for (let spin = 0; spin >= 0; spin = (spin + 1) % 7) { /* never returns */ }',
            ),
        },
      ]);
      const r = await grade(root, dir, opts);
      const lost = r.items.filter((i) => i.status !== 'pass');
      expect(lost.map((i) => i.id).sort()).toEqual([
        'lstmBackward',
        'lstmGatesBackward',
        'lstmStepBackward',
        'rnnStepForward',
      ]);
      expect(lost.find((i) => i.id === 'rnnStepForward')?.status).toBe('timeout');
      for (const id of ['lstmBackward', 'lstmGatesBackward', 'lstmStepBackward'])
        expect(lost.find((i) => i.id === id)?.status).toBe('fail');
      for (const id of ['lstmGatesBackward', 'lstmStepBackward'])
        expect(lost.find((i) => i.id === id)?.message).toMatch(/^dprevC vs autodiff: relative error/);
      expect(r.score).toBe(r.maxScore - 2 - 3 - 3 - 5);
    },
    600_000,
  );
});
