/** The example projects (examples/), copied to a fresh temp dir per use: tests never write into examples/. */
import { existsSync, promises as fsp, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { repoRoot } from './testenv.js';

export const examplesDir = path.join(repoRoot, 'examples');

/** Names of every example project (each a directory of examples/). */
export async function listExamples(): Promise<string[]> {
  const entries = await fsp.readdir(examplesDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_'))
    .map((e) => e.name)
    .sort();
}

export function examplePath(name: string): string {
  const p = path.join(examplesDir, name);
  if (!existsSync(p)) throw new Error(`no example named ${name} in ${examplesDir}`);
  return p;
}

const tempDirs = new Set<string>();
let hooked = false;

/**
 * A fresh temporary copy of examples/<name>; returns its path. Removed at process exit, or
 * earlier with removeCopy().
 */
export async function copyExample(name: string): Promise<string> {
  const src = examplePath(name);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `pycontain-e2e-${name}-`));
  const dest = path.join(dir, name);
  await fsp.cp(src, dest, { recursive: true });
  tempDirs.add(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const d of tempDirs) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {
          // best effort at exit
        }
      }
    });
  }
  return dest;
}

/** Remove a copy made by copyExample. */
export async function removeCopy(copy: string): Promise<void> {
  const dir = path.dirname(copy);
  if (!tempDirs.has(dir)) return;
  tempDirs.delete(dir);
  await fsp.rm(dir, { recursive: true, force: true });
}
