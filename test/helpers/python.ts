/**
 * The NumPy/PyTorch oracle: runs a Python script with Debian's interpreter (the one that
 * sees python3-numpy and python3-torch) and returns its stdout. Tests write their fixtures
 * and reference results with the real libraries through this.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON =
  process.env.MATRIX_LENS_PYTHON ??
  (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

export function runPython(script: string, args: string[] = [], input?: string): string {
  return execFileSync(PYTHON, ['-c', script, ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 1 << 30,
    env: {
      ...process.env,
      PYTHONHASHSEED: '0',
      OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '2',
    },
  });
}

/** Runs a script that prints one JSON document; returns it parsed. */
export function pythonJson<T = unknown>(script: string, args: string[] = []): T {
  return JSON.parse(runPython(script, args)) as T;
}

/** A fresh temporary folder for one test file's fixtures. */
export function tempDir(prefix = 'matrix-lens-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
