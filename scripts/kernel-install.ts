/**
 * `npm run kernel:install [-- --name NAME] [--prefix DIR] [--jupyter PATH]`
 *
 * Registers this project's tslab as a Jupyter kernel: writes a kernelspec whose argv runs
 * `node <project>/dist/scripts/tslab-kernel.js kernel --config-path {connection_file}` (tslab's
 * kernel, publishing execution counts: see tslab-kernel.ts)
 * with the absolute path of the Node that ran this script (so the kernel starts even when
 * Jupyter's PATH has no node) into `<jupyter --data-dir>/kernels/NAME` (the user's Jupyter
 * data dir) or `DIR/share/jupyter/kernels/NAME` with `--prefix`. The files are written here
 * rather than by `jupyter kernelspec install` because minimal installs (Debian's
 * jupyter-nbconvert) lack that subcommand. The default name `tslab` is the one the
 * notebooks' metadata names, so they open on this kernel. Without Jupyter it says what to
 * install and exits with 1.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseCommandLine, UsageError } from './cliArgs';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const KERNEL_SCRIPT = path.join(__dirname, 'tslab-kernel.js');

const USAGE = `usage: kernel-install [--name NAME] [--display-name TEXT] [--prefix DIR] [--jupyter PATH]
  --name          kernelspec name (default: tslab, the name the notebooks' metadata uses)
  --display-name  the name Jupyter shows (default: TypeScript (tslab))
  --prefix DIR    install into DIR/share/jupyter/kernels (add DIR/share/jupyter to JUPYTER_PATH);
                  default: the user's Jupyter data dir (jupyter --data-dir)
  --jupyter PATH  the jupyter command (default: env JUPYTER, else jupyter on PATH)`;

const MISSING_JUPYTER = `Jupyter was not found (looked for env JUPYTER and 'jupyter' on PATH).
Install it, then run 'npm run kernel:install' again:
  pip install jupyterlab                          # JupyterLab (any OS)
  sudo apt install jupyter-notebook python3-ipykernel jupyter-nbconvert   # Debian/Ubuntu
VS Code users: install the Jupyter extension; it finds kernels registered this way.`;

interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  metadata: Record<string, unknown>;
}

/** The kernel.json for this project's tslab. */
function kernelSpec(displayName: string): KernelSpec {
  return {
    argv: [process.execPath, KERNEL_SCRIPT, 'kernel', '--config-path', '{connection_file}'],
    display_name: displayName,
    language: 'typescript',
    metadata: { project: PROJECT_ROOT },
  };
}

/** `cmd` as an executable path: itself when it contains a slash, else looked up on PATH. */
function findOnPath(cmd: string): string | null {
  if (cmd.includes(path.sep)) return fs.existsSync(cmd) ? cmd : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function main(): number {
  let values;
  try {
    ({ values } = parseCommandLine('kernel-install', process.argv.slice(2), {
      name: { type: 'string', default: 'tslab', expects: 'a kernelspec name' },
      'display-name': { type: 'string', default: 'TypeScript (tslab)', expects: 'the name Jupyter shows' },
      prefix: { type: 'string', expects: 'a directory' },
      jupyter: { type: 'string', expects: 'the path of the jupyter command' },
      help: { type: 'boolean', short: 'h' },
    }));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!fs.existsSync(KERNEL_SCRIPT)) {
    console.error(`kernel-install: ${KERNEL_SCRIPT} is missing — run 'npm install' (or npm run build) first.`);
    return 1;
  }
  const jupyter = findOnPath(values.jupyter ?? process.env.JUPYTER ?? 'jupyter');
  if (!jupyter) {
    console.error(MISSING_JUPYTER);
    return 1;
  }
  let kernelsDir: string;
  if (values.prefix) {
    kernelsDir = path.join(path.resolve(values.prefix), 'share', 'jupyter', 'kernels');
  } else {
    const r = spawnSync(jupyter, ['--data-dir'], { encoding: 'utf8' });
    if (r.error || r.status !== 0 || !r.stdout.trim()) {
      console.error(`kernel-install: '${jupyter} --data-dir' failed: ${r.error?.message ?? r.stderr}`);
      return 1;
    }
    kernelsDir = path.join(r.stdout.trim(), 'kernels');
  }
  const specDir = path.join(kernelsDir, values.name);
  fs.mkdirSync(specDir, { recursive: true });
  fs.writeFileSync(
    path.join(specDir, 'kernel.json'),
    JSON.stringify(kernelSpec(values['display-name']), null, 1) + '\n',
  );
  console.log(`kernel-install: wrote ${path.join(specDir, 'kernel.json')}`);
  console.log(
    `kernel-install: registered kernel '${values.name}' ("${values['display-name']}") running ${KERNEL_SCRIPT}`,
  );
  return 0;
}

process.exitCode = main();
