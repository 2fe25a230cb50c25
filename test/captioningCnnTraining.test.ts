import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { SOURCE_DIR } from '../scripts/datasets/common';
import { parseCaptioningCnnArgs, trainCaptioningCnn } from '../scripts/train/captioningCnn';

const hasFashionMnist = fs.existsSync(path.join(SOURCE_DIR, 'train-images-idx3-ubyte.gz'));

describe.skipIf(!hasFashionMnist)('captioning-cnn training, resumed', () => {
  it('a run paused mid-epoch and at an epoch boundary, then resumed, ends with the uninterrupted weights', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-resume-'));
    // 2 epochs × 3 chunks of 100 images, on a narrow trunk
    const base = ['--epochs', '2', '--images', '300', '--chunk', '100', '--widths', '4,0,8', '--seed', '5'];
    const args = (name: string, more: string[] = []) =>
      parseCaptioningCnnArgs([
        ...base,
        '--out',
        path.join(root, name),
        '--state',
        path.join(root, `${name}-state`),
        ...more,
      ]);
    await trainCaptioningCnn(args('straight'));
    await trainCaptioningCnn(args('paused', ['--minutes', '1e-9'])); // stops after chunk 1 of epoch 1
    for (let chunk = 2; chunk <= 3; chunk++)
      await trainCaptioningCnn(args('paused', ['--minutes', '1e-9', '--resume']));
    await trainCaptioningCnn(args('paused', ['--resume'])); // from the end of epoch 1's chunks to the end
    const read = (name: string, file: string) => fs.readFileSync(path.join(root, name, file));
    expect(read('paused', 'weights.bin').equals(read('straight', 'weights.bin'))).toBe(true);
    const record = (name: string) => JSON.parse(read(name, 'manifest.json').toString()).training.record;
    expect(record('paused')).toEqual(record('straight'));
    expect(record('paused')).toHaveLength(2);
    const log = read('paused', 'training-log.txt').toString();
    expect(log.match(/paused after image/g)).toHaveLength(3);
    expect(log).toContain('resumed from');
    await expect(trainCaptioningCnn(args('paused', ['--resume', '--epochs', '3']))).rejects.toThrow(
      /was made by `npm run train -- captioning-cnn --epochs 2 .*`; resume it with the same options/,
    );
    fs.rmSync(root, { recursive: true });
  }, 300_000);
});
