import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './fs.js';

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary sibling', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pc-fs-'));
    const file = path.join(dir, 'Dockerfile');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['Dockerfile']);
    await rm(dir, { recursive: true });
  });
});
