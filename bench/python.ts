import { spawnSync } from 'node:child_process';

/** Debian's interpreter, not whatever `python3` is first on PATH (pyenv and virtualenvs lack python3-torch). */
export const PYTHON = '/usr/bin/python3';

function hasModules(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, PIL, numpy'], { stdio: 'ignore' }).status === 0;
}

/** Makes sure Debian's PyTorch (and Pillow, for the pipeline reference) are there, installing them with apt-get if not. */
export function ensureTorch(log: (line: string) => void): void {
  if (hasModules()) return;
  log(
    "PyTorch reference: Debian's python3-torch (and python3-pil) are missing; installing them with apt-get (a few minutes)…",
  );
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? 'apt-get' : 'sudo';
  const args = [
    ...(asRoot ? [] : ['-n', 'apt-get']),
    'install',
    '-y',
    '-qq',
    '--no-install-recommends',
    'python3-torch',
    'python3-pil',
    'python3-numpy',
  ];
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0 || !hasModules()) {
    throw new Error(
      `Could not install python3-torch with apt-get (exit ${result.status}). Install it yourself (sudo apt-get install python3-torch python3-pil) and run npm run bench again.`,
    );
  }
}

/**
 * An interpreter whose PyTorch sees a CUDA GPU, or null: `python3` on PATH first (a GPU machine's PyTorch is
 * usually pip's CUDA build there; Debian's python3-torch has no CUDA), then Debian's.
 */
export function cudaPython(): string | null {
  for (const python of ['python3', PYTHON]) {
    const probe = spawnSync(python, ['-c', 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'], {
      stdio: 'ignore',
    });
    if (probe.status === 0) return python;
  }
  return null;
}

/** Runs a reference script (with Debian's interpreter unless another is given) and returns the JSON object it prints last. */
export function runPython<T>(script: string, args: string[], python = PYTHON): T {
  const result = spawnSync(python, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${script} failed (exit ${result.status}): ${result.stderr.slice(-2000)}`);
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}
