import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan.js';
import { lockedDists } from './locked.js';

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);

async function planFor(
  pm: Plan['packageManager'],
  lockfile: string,
  text: string,
  deps: Plan['dependencies'],
): Promise<Plan> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'locked-'));
  await fsp.writeFile(path.join(root, lockfile), text);
  return {
    root,
    packageManager: pm,
    lockfile,
    dependencies: deps,
    extras: [],
    requirementsFile: null,
  } as unknown as Plan;
}

describe('lockedDists', () => {
  it('takes URLs and hashes from uv.lock and leaves dev groups out', async () => {
    const plan = await planFor(
      'uv',
      'uv.lock',
      `version = 1\n[[package]]\nname = "anyio"\nversion = "3.6.2"\nwheels = [{ url = "http://i/files/anyio-3.6.2-py3-none-any.whl", hash = "sha256:${H1}" }]\n[[package]]\nname = "pytest"\nversion = "7.2.1"\nwheels = [{ url = "http://i/files/pytest-7.2.1-py3-none-any.whl", hash = "sha256:${H2}" }]\n`,
      [
        { name: 'anyio', version: '3.6.2' },
        { name: 'pytest', version: '7.2.1', group: 'dev' },
      ],
    );
    const d = await lockedDists(plan);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      name: 'anyio',
      hashes: [H1],
      files: [
        {
          filename: 'anyio-3.6.2-py3-none-any.whl',
          url: 'http://i/files/anyio-3.6.2-py3-none-any.whl',
          sha256: H1,
        },
      ],
    });
  });

  it('takes file names and hashes from poetry.lock and pdm.lock 4.0 metadata', async () => {
    const poetry = await planFor(
      'poetry',
      'poetry.lock',
      `[[package]]\nname = "click"\nversion = "8.1.3"\nfiles = [{file = "click-8.1.3-py3-none-any.whl", hash = "sha256:${H1}"}]\n`,
      [{ name: 'click', version: '8.1.3' }],
    );
    expect((await lockedDists(poetry))[0]?.files[0]).toEqual({
      filename: 'click-8.1.3-py3-none-any.whl',
      url: undefined,
      sha256: H1,
    });
    const pdm = await planFor(
      'pdm',
      'pdm.lock',
      `[[package]]\nname = "django"\nversion = "3.2.25"\n[metadata]\nlock_version = "4.0"\n[metadata.files]\n"django 3.2.25" = [{url = "https://x/Django-3.2.25-py3-none-any.whl", hash = "sha256:${H2}"}]\n`,
      [{ name: 'django', version: '3.2.25' }],
    );
    expect((await lockedDists(pdm))[0]?.hashes).toEqual([H2]);
  });

  it('takes hashes from hashed requirements and refuses unhashed or unpinned entries with file:line', async () => {
    const ok = await planFor('pip-tools', 'requirements.txt', `flask==2.2.2 \\\n    --hash=sha256:${H1}\n`, [
      { name: 'flask', version: '2.2.2', source: { file: 'requirements.txt', line: 1 } },
    ]);
    expect((await lockedDists(ok))[0]?.hashes).toEqual([H1]);
    const bare = await planFor('pip', 'requirements.txt', 'flask==2.2.2\n', [
      { name: 'flask', version: '2.2.2', source: { file: 'requirements.txt', line: 1 } },
    ]);
    await expect(lockedDists(bare)).rejects.toMatchObject({ file: 'requirements.txt', line: 1 });
    const open = await planFor('pip', 'requirements.txt', 'flask>=2\n', [
      { name: 'flask', specifier: '>=2', source: { file: 'requirements.txt', line: 1 } },
    ]);
    await expect(lockedDists(open)).rejects.toThrow(/not pinned/);
  });
});
