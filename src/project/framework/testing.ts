import { promises as fsp, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dependency } from '../../plan.js';
import { detectFramework, type FrameworkOptions } from '../framework.js';

// Minimal synthetic projects for the framework tests: an inline file map written to a temp dir.
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'pycontain-fwt-'));
let n = 0;

export function cleanup(): void {
  rmSync(tmpRoot, { recursive: true, force: true });
}

export async function project(files: Record<string, string>): Promise<string> {
  const root = path.join(tmpRoot, `p${n++}`);
  await fsp.mkdir(root, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fsp.writeFile(path.join(root, rel), text);
  }
  return root;
}

export const deps = (...names: string[]): Dependency[] => names.map((name) => ({ name }));

export async function detect(
  files: Record<string, string>,
  d: Dependency[],
  opts: Partial<FrameworkOptions> = {},
  appDir = '.',
) {
  return detectFramework(await project(files), appDir, d, { scripts: {}, ...opts });
}

export const codes = (r: { warnings: { code: string }[] }) => r.warnings.map((w) => w.code);
