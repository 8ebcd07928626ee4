import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { inspectImage, removeContainer } from './docker.js';
import type { Engine } from './driver.js';

// A fake podman printing what podman 4.3.1 prints for a Docker-format image built with
// `HEALTHCHECK CMD ["python3", "-c", "pass"]` and `USER 10001:10001` (trimmed), and recording its
// arguments.
const PODMAN_INSPECT = JSON.stringify([
  {
    Id: 'de73f58970f9a8e3c1b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829',
    RepoTags: ['localhost/pycontain-dev/podman-hc:t'],
    Config: { User: '10001:10001', Env: ['PATH=/usr/bin', 'LANG=C.UTF-8'], Cmd: ['python3'], Labels: null },
    Architecture: 'amd64',
    Os: 'linux',
    Size: 185107231,
    RootFS: { Type: 'layers', Layers: ['sha256:1b8a', 'sha256:b0aa'] },
    ManifestType: 'application/vnd.docker.distribution.manifest.v2+json',
    User: '10001:10001',
    Healthcheck: { Test: ['CMD', 'python3', '-c', 'pass'] },
  },
]);

let dir: string;
let podman: Engine;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-docker-test-'));
  const bin = path.join(dir, 'podman');
  await fsp.writeFile(path.join(dir, 'inspect.json'), `${PODMAN_INSPECT}\n`);
  await fsp.writeFile(
    bin,
    `#!/bin/sh
printf '%s\\n' "$@" > "${dir}/args"
case "$1 $2" in
  "image inspect") if [ "$3" = missing ]; then echo "Error: inspecting object: missing: image not known" >&2; exit 125; fi
    while IFS= read -r l; do echo "$l"; done < "${dir}/inspect.json";;
esac
`,
    { mode: 0o755 },
  );
  podman = { kind: 'podman', bin, serverVersion: '4.3.1', env: {} };
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('podman image inspect', () => {
  it('reads the HEALTHCHECK podman keeps outside Config, and the rest of the config', async () => {
    const info = await inspectImage(podman, 'pycontain-dev/podman-hc:t');
    expect(info.healthcheck).toEqual(['CMD', 'python3', '-c', 'pass']);
    expect(info.user).toBe('10001:10001');
    expect(info.layers).toBe(2);
    expect(info.sizeBytes).toBe(185107231);
    expect(info.env).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8' });
  });

  it('an image podman does not know is bad input', async () => {
    await expect(inspectImage(podman, 'missing')).rejects.toBeInstanceOf(InputError);
  });

  it("removes containers without podman's 10 s stop grace period", async () => {
    await removeContainer(podman, 'pycontain-http-0011');
    expect((await fsp.readFile(path.join(dir, 'args'), 'utf8')).split('\n')).toEqual([
      'rm',
      '-f',
      '-t',
      '0',
      '-v',
      'pycontain-http-0011',
      '',
    ]);
  });
});
