import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import {
  countBy,
  defaultSeedThreads,
  describeColumns,
  formatInterval,
  outPath,
  projectRoot,
  runSeeds,
  saveTableCsv,
  seedTask,
  showResultsTable,
  studentT975,
  summarize,
  summarizeRuns,
  withIndexColumn,
  toDataFrame,
} from '../lib';

/** P(|T| < q) for Student's t with ν dof, by Simpson's rule after x = √ν·tan θ (density ∝ cos^(ν−1) θ). */
function twoSidedMass(q: number, dof: number): number {
  const integral = (upper: number): number => {
    const n = 4000,
      step = upper / n;
    let s = 0;
    for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.cos(i * step) ** (dof - 1);
    return (s * step) / 3;
  };
  return integral(Math.atan(q / Math.sqrt(dof))) / integral(Math.PI / 2);
}

describe('studentT975', () => {
  it('leaves 95% of the t distribution inside ±t for every tabulated dof and beyond', () => {
    for (const dof of [1, 2, 3, 4, 5, 9, 10, 20, 29, 30, 31, 40, 60, 120, 1000]) {
      expect(Math.abs(twoSidedMass(studentT975(dof), dof) - 0.95)).toBeLessThan(2e-6);
    }
  });
  it('agrees with scipy beyond the table and tends to the normal 1.96', () => {
    expect(studentT975(40)).toBeCloseTo(2.0210754, 5);
    expect(studentT975(120)).toBeCloseTo(1.9799304, 6);
    expect(studentT975(1e6)).toBeCloseTo(1.959964, 5);
    expect(() => studentT975(0)).toThrow("studentT975: argument 'dof' expected an integer");
  });
});

describe('summarize', () => {
  it('gives mean, sample std and the t interval', () => {
    const s = summarize([1, 2, 3]);
    expect(s).toMatchObject({ n: 3, mean: 2, std: 1, values: [1, 2, 3] });
    expect(s.halfWidth).toBeCloseTo(4.302653 / Math.sqrt(3), 6);
    expect(s.low).toBeCloseTo(2 - s.halfWidth, 12);
    expect(formatInterval(s, 2)).toBe('2.00 ± 2.48');
    const one = summarize([0.5]);
    expect(one.halfWidth).toBeNaN();
    expect(formatInterval(one)).toBe('0.500');
  });
  it('names bad values', () => {
    expect(() => summarize([])).toThrow(
      "summarize: argument 'values' expected a non-empty array of numbers but got an empty array",
    );
    expect(() => summarize([1, NaN])).toThrow(/summarize: argument 'values\[1\]'/);
  });
});

describe('runSeeds', () => {
  it('runs sync and async experiments in seed order, keeps every run and summarises numeric fields', async () => {
    const seen: number[] = [];
    const { runs, summary } = await runSeeds(
      [3, 1, 2],
      async (seed) => {
        seen.push(seed);
        await new Promise((r) => setTimeout(r, 1));
        return { acc: seed / 10, loss: 1 / seed, history: [seed], name: `s${seed}` };
      },
      { progress: false },
    );
    expect(seen).toEqual([3, 1, 2]);
    expect(runs.map((r) => r.seed)).toEqual([3, 1, 2]);
    expect(runs[0].result.history).toEqual([3]);
    expect(Object.keys(summary).sort()).toEqual(['acc', 'loss']);
    expect(summary.acc.values).toEqual([0.3, 0.1, 0.2]);
    expect(summary.acc.mean).toBeCloseTo(0.2, 12);
    const sync = await runSeeds([0, 1], (seed) => ({ x: seed }), { progress: false });
    expect(sync.summary.x.mean).toBe(0.5);
  });
  it('names the seed of a failing run and rejects bad seeds', async () => {
    await expect(
      runSeeds(
        [0, 7],
        (seed) => {
          if (seed === 7) throw new Error('NaN at step 3');
          return { x: 1 };
        },
        { progress: false },
      ),
    ).rejects.toThrow('runSeeds: the run with seed 7 failed: NaN at step 3');
    await expect(runSeeds([1, 1], () => ({ x: 1 }), { progress: false })).rejects.toThrow(/repeated seeds/);
    await expect(runSeeds([], () => ({ x: 1 }))).rejects.toThrow(/non-empty array/);
  });
  it('summarizeRuns leaves out a metric that is not a finite number in every run', () => {
    expect(
      Object.keys(
        summarizeRuns([
          { a: 1, b: 2 },
          { a: 2, b: NaN },
        ]),
      ),
    ).toEqual(['a']);
  });
});

describe('runSeeds on worker threads', () => {
  const budget = { T: 6, hidden: 4, steps: 3, batch: 8, lr: 1e-2 };

  it('gives exactly the numbers of the sequential run, in seed order', async () => {
    const task = seedTask('sequenceTasks.compareAddingProblemCells', budget);
    const sequential = await runSeeds([3, 1, 2], task, { progress: false });
    const threaded = await runSeeds([3, 1, 2], task, { progress: false, threads: 2 });
    expect(threaded.runs.map((r) => r.seed)).toEqual([3, 1, 2]);
    expect(threaded.runs).toEqual(sequential.runs);
    expect(threaded.summary).toEqual(sequential.summary);
    expect(threaded.summary['LSTM test MSE'].n).toBe(3);
  }, 120_000);

  it('names the seed of a run that fails in a worker, and refuses closures and unknown functions', async () => {
    await expect(
      runSeeds([1, 2], seedTask('sequenceTasks.compareAddingProblemCells', { ...budget, T: 1 }), {
        progress: false,
        threads: 2,
      }),
    ).rejects.toThrow(/seed [12] failed in a worker thread: .*trainAddingProblem.*'T'/);
    await expect(runSeeds([1, 2], () => ({ a: 1 }), { progress: false, threads: 2 })).rejects.toThrow(
      /'opts.threads' is 2, which needs an experiment made by bp.seedTask/,
    );
    await expect(runSeeds([1], seedTask('sequenceTasks.noSuchThing'), { progress: false })).rejects.toThrow(
      /seedTask: argument 'fn' expected a function of bp .* but got 'sequenceTasks.noSuchThing'/,
    );
    expect(() => seedTask('sequenceTasks.compareAddingProblemCells', { seed: 1 })).toThrow(/must not hold 'seed'/);
  }, 120_000);

  it('takes its default thread count from BACKPROP_SEED_THREADS, else the cores', () => {
    expect(defaultSeedThreads({ BACKPROP_SEED_THREADS: '3' })).toBe(3);
    expect(defaultSeedThreads({})).toBe(os.availableParallelism());
    expect(() => defaultSeedThreads({ BACKPROP_SEED_THREADS: '0' })).toThrow(/positive integer but got '0'/);
  });
});

describe('result tables (danfojs)', () => {
  const rows = [
    { model: 'rnn', seed: 0, acc: 0.5, loss: 2 },
    { model: 'lstm', seed: 0, acc: 0.9, loss: 1 },
    { model: 'rnn', seed: 1, acc: 0.7, loss: 3 },
    { model: 'lstm', seed: 1, acc: 0.8, loss: 1.5 },
    { model: 'rnn', seed: 2, acc: 0.6, loss: 2.5 },
    { model: 'lstm', seed: 2, acc: 0.85, loss: 1.25 },
  ];
  it('countBy and describeColumns summarise a dataset', () => {
    const data = [
      { split: 'train', colour: 'red', size: 1 },
      { split: 'train', colour: 'blue', size: 3 },
      { split: 'train', colour: 'red', size: 2 },
      { split: 'test', colour: 'red', size: 4 },
    ];
    const counts = countBy(data, ['split', 'colour']);
    expect(counts.columns).toEqual(['split', 'colour', 'count']);
    expect(counts.values).toEqual([
      ['train', 'red', 2],
      ['train', 'blue', 1],
      ['test', 'red', 1],
    ]);
    expect(countBy(data, ['colour']).values).toEqual([
      ['red', 3],
      ['blue', 1],
    ]);
    const d = describeColumns(data);
    expect(d.columns).toEqual(['statistic', 'size']);
    const stat = Object.fromEntries((d.values as unknown[][]).map((r) => [r[0], r[1]]));
    expect(stat.count).toBe(4);
    expect(stat.mean).toBe(2.5);
    expect(stat.std as number).toBeCloseTo(summarize([1, 3, 2, 4]).std, 12);
    expect(() => countBy(data, ['item'])).toThrow(/countBy: argument 'by' names column 'item'/);
    expect(() => toDataFrame([{ a: 1 }, { b: 2 }])).toThrow(
      'toDataFrame: rows[1] has keys [b], expected the keys of rows[0]: [a]',
    );
  });
  it('withIndexColumn keeps the row labels danfojs stores apart from the values', () => {
    const df = toDataFrame([{ x: 1 }, { x: 2 }]);
    expect(withIndexColumn(df, 'row').values).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });
  it('saves CSV under out/tables/<notebook>/ of the project root, and showResultsTable shows and saves', () => {
    expect(fs.existsSync(path.join(projectRoot(), 'package.json'))).toBe(true);
    expect(outPath('tables', 'nb', 'x.csv')).toBe(path.join(projectRoot(), 'out', 'tables', 'nb', 'x.csv'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-tables-'));
    const file = saveTableCsv(countBy(rows, ['model']), { notebook: '02_lstm', name: 'adding', dir });
    expect(file).toBe(path.join(dir, 'adding.csv'));
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toEqual(['model,count', 'rnn,3', 'lstm,3']);
    const printed: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => printed.push(a.join(' '));
    try {
      showResultsTable(rows, { notebook: '02_lstm', name: 'per_seed', dir, caption: 'Per seed' });
    } finally {
      console.log = log;
    }
    expect(printed.join('\n')).toMatch(/^Per seed\nmodel\s+seed\s+acc\s+loss/);
    expect(printed.join('\n')).toContain(`CSV: ${path.join(dir, 'per_seed.csv')}`); // outside the project: its path
    expect(fs.readFileSync(path.join(dir, 'per_seed.csv'), 'utf8').split('\n')).toHaveLength(rows.length + 2);
    expect(() => saveTableCsv(rows, { notebook: '../x', name: 'a', dir })).toThrow(
      /saveTableCsv: argument 'notebook' expected a plain file name/,
    );
    fs.rmSync(dir, { recursive: true });
  });
});
