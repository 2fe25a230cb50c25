/**
 * The grader against submissions that attack it (issue 24, item 1). Each attack sits in one
 * graded function of an otherwise correct submission; it must cost that item only, and
 * nothing it prints, writes or reads may change another result:
 * - printing the check protocol's old result line `COURSEWORK_RESULT {"status":"pass"}` and exiting;
 * - an error message carrying a fake `score 45/45` line;
 * - writing into the grader's compiled reference (dist/lib) or starting a process;
 * - loading the reference solution and returning its answer;
 * - allocating without bound (the item's memory limit stops it);
 * - a vitest-graded item (A0) writing outside its working folder.
 * Each test builds and grades a submission in subprocesses (≈ 30–60 s on a busy 2-core machine).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { findAssignment, loadAssignments } from '../scripts/coursework/assignments';
import { grade, scoreTable } from '../scripts/coursework/grade';
import { prepend, submissionWith } from './submissions';

const root = path.resolve(__dirname, '..');
const all = loadAssignments(root);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-isolation-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Files an attack tries to create: in the grader's reference build and elsewhere outside the sandbox. */
const planted = {
  reference: path.join(root, 'dist', 'lib', 'planted-by-submission.txt'),
  outside: path.join(tmp, 'planted-by-child-process.txt'),
  vitest: path.join(root, 'dist', 'lib', 'planted-by-vitest-item.txt'),
};

function options(assignment: string, lines: string[]) {
  return {
    assignment: findAssignment(all, assignment),
    timeoutS: 60,
    memoryMb: 1024,
    cellTimeoutS: 60,
    jobs: 2,
    notebooks: false,
    keep: false,
    log: (l: string) => void lines.push(l),
  };
}

describe('grading isolation (subprocesses)', () => {
  it('each attack costs its own item, fails where it should, and changes nothing else', async () => {
    const submission = submissionWith(tmp, 'attacks-a1', [
      prepend(
        'rnnStepForward',
        `process.stdout.write('\\nCOURSEWORK_RESULT {"status":"pass","worst":0,"message":"","comparisons":[]}\\n');
         process.exit(0);`,
      ),
      prepend('rnnForward', `throw new Error('boom\\n\\nscore 45/45');`),
      prepend('rnnStepBackward', `require('fs').writeFileSync(${JSON.stringify(planted.reference)}, 'x');`),
      prepend(
        'rnnBackward',
        `return require(${JSON.stringify(path.join(root, 'dist', 'lib', 'index.js'))}).rnnBackward(dh, cache);`,
      ),
      prepend(
        'temporalSoftmaxLoss',
        'const hog: Float64Array[] = [];\nfor (;;) hog.push(new Float64Array(1 << 24).fill(1));',
      ),
      prepend('lstmForward', `require('child_process').execSync('touch ${planted.outside}');`),
    ]);
    const lines: string[] = [];
    const opts = options('A1', lines);
    const r = await grade(root, submission, opts);
    const byId = Object.fromEntries(r.items.map((i) => [i.id, i]));
    const attacked = [
      'rnnStepForward',
      'rnnForward',
      'rnnStepBackward',
      'rnnBackward',
      'temporalSoftmaxLoss',
      'lstmForward',
    ];
    for (const id of attacked) expect(byId[id].status, `${id}: ${byId[id].message}`).toBe('error');
    expect(byId.rnnStepForward.message).toMatch(/the submission's process exited with code 0 during rnnStepForward/);
    expect(byId.rnnStepBackward.message).toMatch(/ERR_ACCESS_DENIED|restricted/);
    expect(byId.rnnBackward.message).toMatch(/ERR_ACCESS_DENIED|restricted/);
    expect(byId.temporalSoftmaxLoss.message).toBe('used more than 1024 MB');
    expect(byId.lstmForward.message).toMatch(/ERR_ACCESS_DENIED|restricted/);
    expect(fs.existsSync(planted.reference)).toBe(false);
    expect(fs.existsSync(planted.outside)).toBe(false);
    // Every other item passes: the attacks cost exactly their own points.
    const others = r.items.filter((i) => !attacked.includes(i.id));
    expect(others.filter((i) => i.status !== 'pass').map((i) => `${i.id}: ${i.message}`)).toEqual([]);
    const lost = opts.assignment.items.filter((i) => attacked.includes(i.id)).reduce((s, i) => s + i.points, 0);
    expect(r.score).toBe(r.maxScore - lost);
    // The fake score line is printed as quoted text, never as a line of its own.
    const printed = [...lines, ...scoreTable(r).split('\n')];
    expect(printed.filter((l) => /^\s*score /.test(l))).toEqual([`score ${r.score}/${r.maxScore}`]);
    expect(printed.some((l) => l.includes('"Error: boom\\n\\nscore 45/45"'))).toBe(true);
  }, 600_000);

  it('a vitest-graded item cannot write outside its working folder', async () => {
    const submission = submissionWith(tmp, 'attack-a0', [
      prepend('affineForward', `require('fs').writeFileSync(${JSON.stringify(planted.vitest)}, 'x');`),
    ]);
    const r = await grade(root, submission, options('A0', []));
    const affine = r.items.find((i) => i.id === 'affine');
    expect(affine?.status).toBe('fail');
    expect(affine?.message).toMatch(/restricted|ERR_ACCESS_DENIED/);
    expect(fs.existsSync(planted.vitest)).toBe(false);
    expect(r.items.filter((i) => i.id !== 'affine' && i.status !== 'pass').map((i) => i.id)).toEqual([]);
  }, 600_000);
});
