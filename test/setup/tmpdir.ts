import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Every temporary file a test run makes (project copies, fixtures, build contexts) lands in one
// directory of its own, removed when the run ends: CI and developers' machines keep no leftovers.
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pycontain-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    rmSync(dir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
