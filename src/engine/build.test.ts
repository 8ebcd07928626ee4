import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import {
  buildArgs,
  frontendUnreachable,
  podmanCacheRef,
  podmanLeaksCacheLocks,
  stripSyntaxDirective,
  syntaxDirective,
  withoutCacheLocks,
} from './build.js';
import type { Engine } from './driver.js';
import { SolveState } from './progress-model.js';

const buildx: Engine = {
  kind: 'buildx',
  bin: '/usr/bin/docker',
  serverVersion: '26.1.5',
  buildxVersion: '0.13.1',
  env: {},
};
const classic: Engine = { kind: 'docker', bin: '/usr/bin/docker', serverVersion: '26.1.5', env: {} };
const podman: Engine = { kind: 'podman', bin: '/usr/bin/podman', serverVersion: '4.3.1', env: {} };

describe('buildArgs', () => {
  it('passes every option through to docker buildx build, loading by default', () => {
    const p = buildArgs(
      {
        engine: buildx,
        context: '/src/app',
        tags: ['app:1', 'app:latest'],
        platforms: ['linux/amd64'],
        buildArgs: ['PIP_INDEX_URL=http://127.0.0.1:3141/simple/'],
        secrets: ['id=pip-index,src=/home/me/.netrc'],
        network: 'host',
        target: 'runtime',
        builder: 'remote',
        cacheFrom: ['type=registry,ref=r/app:cache'],
        cacheTo: ['type=registry,ref=r/app:cache,mode=max'],
        labels: { 'org.opencontainers.image.source': 'x' },
      },
      '/tmp/x/Dockerfile',
      '/tmp/x/iid',
    );
    expect(p.args).toEqual([
      'buildx',
      'build',
      '--progress=rawjson',
      '--builder',
      'remote',
      '-f',
      '/tmp/x/Dockerfile',
      '-t',
      'app:1',
      '-t',
      'app:latest',
      '--platform',
      'linux/amd64',
      '--build-arg',
      'PIP_INDEX_URL=http://127.0.0.1:3141/simple/',
      '--secret',
      'id=pip-index,src=/home/me/.netrc',
      '--network',
      'host',
      '--target',
      'runtime',
      '--cache-from',
      'type=registry,ref=r/app:cache',
      '--cache-to',
      'type=registry,ref=r/app:cache,mode=max',
      '--label',
      'org.opencontainers.image.source=x',
      '--load',
      '--iidfile',
      '/tmp/x/iid',
      '/src/app',
    ]);
    expect(p.loaded).toBe(true);
    expect(p.pushAfter).toEqual([]);
  });

  it('does not load when pushing or building several platforms, unless asked', () => {
    expect(buildArgs({ engine: buildx, context: '/c', push: true, tags: ['r/a'] }, 'D', 'I').args).toContain(
      '--push',
    );
    expect(
      buildArgs({ engine: buildx, context: '/c', push: true, tags: ['r/a'] }, 'D', 'I').args,
    ).not.toContain('--load');
    const multi = buildArgs(
      { engine: buildx, context: '/c', platforms: ['linux/amd64', 'linux/arm64'] },
      'D',
      'I',
    );
    expect(multi.loaded).toBe(false);
    expect(() =>
      buildArgs(
        { engine: buildx, context: '/c', platforms: ['linux/amd64,linux/arm64'], load: true },
        'D',
        'I',
      ),
    ).toThrow(InputError);
  });

  it('uses DOCKER_BUILDKIT=1 and plain progress with the classic builder, pushing afterwards', () => {
    const p = buildArgs({ engine: classic, context: '/c', tags: ['r/a:1'], push: true }, 'D', 'I');
    expect(p.args.slice(0, 2)).toEqual(['build', '--progress=plain']);
    expect(p.env.DOCKER_BUILDKIT).toBe('1');
    expect(p.pushAfter).toEqual([['push', 'r/a:1']]);
    expect(() => buildArgs({ engine: classic, context: '/c', cacheTo: ['type=inline'] }, 'D', 'I')).toThrow(
      /buildx/,
    );
    expect(() => buildArgs({ engine: classic, context: '/c', builder: 'b' }, 'D', 'I')).toThrow(/buildx/);
  });

  it('builds with podman without a progress flag, in Docker image format, with the ignore file named', () => {
    const p = buildArgs({ engine: podman, context: '/c', tags: ['a'], secrets: ['id=s,src=f'] }, 'D', 'I');
    expect(p.args).toEqual([
      'build',
      '-f',
      'D',
      '--format',
      'docker',
      '-t',
      'a',
      '--secret',
      'id=s,src=f',
      '--iidfile',
      'I',
      '/c',
    ]);
    const q = buildArgs({ engine: podman, context: '/c' }, 'D', 'I', 'D.dockerignore');
    expect(q.args).toEqual([
      'build',
      '-f',
      'D',
      '--format',
      'docker',
      '--ignorefile',
      'D.dockerignore',
      '--iidfile',
      'I',
      '/c',
    ]);
    // BuildKit reads <Dockerfile>.dockerignore by itself
    expect(buildArgs({ engine: buildx, context: '/c' }, 'D', 'I', 'D.dockerignore').args).not.toContain(
      '--ignorefile',
    );
  });

  it('gives podman the repository of a registry cache spec and refuses the caches it cannot use', () => {
    const p = buildArgs(
      {
        engine: podman,
        context: '/c',
        cacheFrom: ['type=registry,ref=reg.example/app:cache', 'reg.example/plain'],
        cacheTo: ['ref=reg.example/app:cache,mode=max'],
      },
      'D',
      'I',
    );
    expect(p.args.join(' ')).toContain(
      '--cache-from reg.example/app:cache --cache-from reg.example/plain --cache-to reg.example/app:cache',
    );
    expect(podmanCacheRef('--cache-from', 'type=registry,ref=r/x')).toBe('r/x');
    expect(() =>
      buildArgs({ engine: podman, context: '/c', cacheTo: ['type=local,dest=/tmp/c'] }, 'D', 'I'),
    ).toThrow(/--cache-to type=local,dest=\/tmp\/c: podman caches only in a registry repository/);
    expect(() => podmanCacheRef('--cache-from', 'type=gha')).toThrow(InputError);
  });
});

describe('syntax directive', () => {
  it('finds and strips only the parser directive', () => {
    const text = '# syntax=docker/dockerfile:1\n# escape=\\\nFROM x\n# syntax=not-a-directive\n';
    expect(syntaxDirective(text)).toBe('docker/dockerfile:1');
    expect(stripSyntaxDirective(text)).toBe('# escape=\\\nFROM x\n# syntax=not-a-directive\n');
    expect(syntaxDirective('FROM x\n# syntax=docker/dockerfile:1\n')).toBeNull();
    expect(syntaxDirective('# a comment\n# syntax=docker/dockerfile:1\n')).toBeNull();
  });

  it('recognizes an engine that cannot fetch the frontend image', () => {
    const s = new SolveState();
    s.addOther(
      'ERROR: failed to solve: failed to resolve source metadata for docker.io/docker/dockerfile:1: failed to do request: Head "https://registry-1.docker.io/v2/docker/dockerfile/manifests/1": dial tcp: lookup registry-1.docker.io: no such host',
    );
    expect(frontendUnreachable(s)).toBe(true);
    const t = new SolveState();
    t.addOther('ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully');
    expect(frontendUnreachable(t)).toBe(false);
  });
});

describe('podman cache locks', () => {
  it('drops sharing=locked from cache mounts for podman before 4.4 only', () => {
    expect(podmanLeaksCacheLocks(podman)).toBe(true);
    expect(podmanLeaksCacheLocks({ ...podman, serverVersion: '4.4.0' })).toBe(false);
    expect(podmanLeaksCacheLocks({ ...podman, serverVersion: '5.0.2' })).toBe(false);
    expect(podmanLeaksCacheLocks(buildx)).toBe(false);
    const text = [
      'FROM x',
      'RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \\',
      '    --mount=type=cache,sharing=locked,target=/root/.cache/pypoetry \\',
      '    --mount=type=secret,id=pip-index,target=/root/.netrc,required=false \\',
      '    --mount=type=bind,source=.,target=/src,sharing=locked pip install .',
      '',
    ].join('\n');
    expect(withoutCacheLocks(text)).toBe(
      [
        'FROM x',
        'RUN --mount=type=cache,target=/root/.cache/pip \\',
        '    --mount=type=cache,target=/root/.cache/pypoetry \\',
        '    --mount=type=secret,id=pip-index,target=/root/.netrc,required=false \\',
        '    --mount=type=bind,source=.,target=/src,sharing=locked pip install .',
        '',
      ].join('\n'),
    );
    expect(withoutCacheLocks('FROM x\nRUN --mount=type=cache,target=/c true\n')).toBe(
      'FROM x\nRUN --mount=type=cache,target=/c true\n',
    );
  });
});
