import { describe, expect, it } from 'vitest';
import { SolveState } from './progress-model.js';
import { PlainProgressParser, RawJsonParser } from './rawjson.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

// Shapes as buildx 0.13 writes them: pretty-printed SolveStatus objects, then BuildKit's error block as text.
const pretty = [
  JSON.stringify(
    { vertexes: [{ digest: 'sha256:a', name: '[internal] load build definition from Dockerfile' }] },
    null,
    2,
  ),
  JSON.stringify(
    {
      vertexes: [
        {
          digest: 'sha256:b',
          name: '[1/3] FROM pycontain.test/debian:bookworm-slim',
          started: '2026-01-01T00:00:00Z',
          completed: '2026-01-01T00:00:00Z',
          cached: true,
        },
        {
          digest: 'sha256:c',
          name: '[2/3] RUN echo "{not json}" && exit 3',
          started: '2026-01-01T00:00:01Z',
        },
      ],
    },
    null,
    2,
  ),
  JSON.stringify(
    { logs: [{ vertex: 'sha256:c', stream: 1, data: b64('hello\nwor'), timestamp: 'x' }] },
    null,
    2,
  ),
  JSON.stringify({ logs: [{ vertex: 'sha256:c', stream: 2, data: b64('ld\n'), timestamp: 'x' }] }, null, 2),
  JSON.stringify(
    {
      vertexes: [
        {
          digest: 'sha256:c',
          name: '[2/3] RUN echo "{not json}" && exit 3',
          started: '2026-01-01T00:00:01Z',
          completed: '2026-01-01T00:00:02Z',
          error: 'exit code: 3',
        },
      ],
    },
    null,
    2,
  ),
  'Dockerfile:2',
  '--------------------',
  'ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
].join('\n');

describe('RawJsonParser', () => {
  it('reads pretty-printed SolveStatus objects split at any chunk boundary, and the text between them', () => {
    for (const size of [1, 7, 64, 100_000]) {
      const state = new SolveState();
      const text: string[] = [];
      const p = new RawJsonParser(state, (l) => text.push(l));
      for (let i = 0; i < pretty.length; i += size) p.feed(pretty.slice(i, i + size));
      p.end();
      expect(p.objects).toBe(5);
      const steps = state.steps();
      expect(steps.map((s) => s.name)).toEqual([
        '[1/3] FROM pycontain.test/debian:bookworm-slim',
        '[2/3] RUN echo "{not json}" && exit 3',
      ]);
      expect(state.cachedSteps().map((s) => s.id)).toEqual(['sha256:b']);
      const failed = state.failed();
      expect(failed?.error).toBe('exit code: 3');
      expect(failed?.logs).toEqual(['hello', 'world']);
      expect(text).toEqual([
        'Dockerfile:2',
        '--------------------',
        'ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
      ]);
    }
  });

  it('reads one object per line (newer buildx) and tolerates junk and broken objects', () => {
    const state = new SolveState();
    const text: string[] = [];
    const p = new RawJsonParser(state, (l) => text.push(l));
    p.feed('#1 some plain line\n');
    p.feed(
      `${JSON.stringify({ vertexes: [{ digest: 'd1', name: '[stage-1 1/2] COPY . .', cached: true }] })}\n`,
    );
    p.feed('{"vertexes": [broken}\n');
    p.feed(
      `${JSON.stringify({ warnings: [{ vertex: 'd1', short: b64('FromAsCasing: mismatch'), detail: [b64('use AS')] }] })}\n`,
    );
    p.end();
    expect(p.objects).toBe(2);
    expect(state.cachedSteps()).toHaveLength(1);
    expect(state.warnings).toEqual([{ message: 'FromAsCasing: mismatch', detail: 'use AS' }]);
    expect(text).toContain('#1 some plain line');
    expect(text).toContain('{"vertexes": [broken}');
  });

  it('gives up on an unbalanced object at the end and keeps it as text', () => {
    const state = new SolveState();
    const text: string[] = [];
    const p = new RawJsonParser(state, (l) => text.push(l));
    p.feed('{ "vertexes": [\n  {"digest": "x"\n');
    p.end();
    expect(p.objects).toBe(0);
    expect(text).toEqual(['{ "vertexes": [', '  {"digest": "x"']);
  });

  it('keeps the final state of carriage-return progress lines', () => {
    const state = new SolveState();
    const p = new RawJsonParser(state);
    p.feed(JSON.stringify({ logs: [{ vertex: 'v', data: b64('10%\r50%\r100%\ndone\n') }] }));
    p.end();
    expect(state.vertex('v').logs).toEqual(['100%', 'done']);
  });
});

describe('PlainProgressParser', () => {
  it('reads BuildKit plain progress', () => {
    const state = new SolveState();
    const p = new PlainProgressParser(state);
    p.feed(
      [
        '#1 [internal] load build definition from Dockerfile',
        '#1 DONE 0.0s',
        '#5 [builder 2/4] RUN pip install -r requirements.txt',
        '#5 CACHED',
        '#6 [builder 3/4] RUN python -c "import sys; sys.exit(2)"',
        '#6 0.512 Traceback (most recent call last):',
        '#6 ERROR: process "/bin/sh -c python" did not complete successfully: exit code: 2',
        '',
      ].join('\n'),
    );
    p.end();
    expect(state.steps().map((s) => [s.name, s.cached])).toEqual([
      ['[builder 2/4] RUN pip install -r requirements.txt', true],
      ['[builder 3/4] RUN python -c "import sys; sys.exit(2)"', false],
    ]);
    expect(state.failed()?.logs).toEqual(['Traceback (most recent call last):']);
    expect(state.failed()?.error).toContain('exit code: 2');
  });

  it('reads podman/buildah progress', () => {
    const state = new SolveState();
    const p = new PlainProgressParser(state);
    p.feed(
      [
        '[1/2] STEP 1/3: FROM python:3.11-slim AS builder',
        '[1/2] STEP 2/3: RUN pip install flask',
        '--> Using cache 4f3c2a',
        '--> 4f3c2a',
        '[2/2] STEP 1/2: FROM python:3.11-slim',
        '[2/2] STEP 2/2: RUN exit 1',
        'Error: building at STEP "RUN exit 1": while running runtime: exit status 1',
        '',
      ].join('\n'),
    );
    p.end();
    const steps = state.steps();
    expect(steps).toHaveLength(4);
    expect(steps[1]?.name).toBe('[builder 2/3] RUN pip install flask');
    expect(steps[1]?.cached).toBe(true);
    expect(state.failed()?.name).toBe('[stage-1 2/2] RUN exit 1');
    expect(state.failed()?.error).toBe('while running runtime: exit status 1');
  });

  // podman 4.3.1's own output for a two-stage build, cut down (steps and their output on stdout,
  // logrus warnings on stderr)
  const PODMAN_STDOUT = [
    '[1/2] STEP 1/3: FROM pycontain.test/python:3.11-slim AS builder',
    '[1/2] STEP 2/3: RUN python3 -m venv /opt/venv',
    '--> Using cache 224da514ef60f171f424d7a12c568301ab408ae90894350346879d71431a92f2',
    '--> 224da514ef6',
    '[1/2] STEP 3/3: COPY . /app/',
    '--> cce2017fe03',
    '[2/2] STEP 1/4: FROM pycontain.test/python:3.11-slim AS runtime',
    '[2/2] STEP 2/4: RUN apt-get update',
    'Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]',
    'Fetched 18.3 MB in 2s (10.5 MB/s)',
    '--> fe8a07c3b0a',
    '[2/2] STEP 3/4: HEALTHCHECK CMD ["python", "-c", "pass"]',
    '--> d4f1bb850e7',
    '[2/2] STEP 4/4: CMD ["gunicorn", "app:app"]',
    '[2/2] COMMIT pycontain-dev/podman-flask:raw',
    '--> 195e2254f49',
    'Successfully tagged localhost/pycontain-dev/podman-flask:raw',
    '195e2254f49b57da196d75c60e1eb4bbcc0d9f06f87c20f2f69ade068845b2c1',
    '',
  ].join('\n');
  const PODMAN_STDERR =
    'time="2026-11-25T19:00:14Z" level=warning msg="HEALTHCHECK is not supported for OCI image format and will be ignored. Must use `docker` format"\n';

  it('names podman stages as BuildKit does, completes every step (the last at COMMIT), reads warnings', () => {
    const state = new SolveState();
    const p = new PlainProgressParser(state);
    p.feed(PODMAN_STDOUT, 'stdout');
    p.feed(PODMAN_STDERR, 'stderr');
    const steps = state.steps();
    expect(steps.map((s) => [s.name, s.cached, !!s.completed])).toEqual([
      ['[builder 1/3] FROM pycontain.test/python:3.11-slim AS builder', false, true],
      ['[builder 2/3] RUN python3 -m venv /opt/venv', true, true],
      ['[builder 3/3] COPY . /app/', false, true],
      ['[runtime 1/4] FROM pycontain.test/python:3.11-slim AS runtime', false, true],
      ['[runtime 2/4] RUN apt-get update', false, true],
      ['[runtime 3/4] HEALTHCHECK CMD ["python", "-c", "pass"]', false, true],
      ['[runtime 4/4] CMD ["gunicorn", "app:app"]', false, true],
    ]);
    expect(steps[4]?.logs).toEqual([
      'Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]',
      'Fetched 18.3 MB in 2s (10.5 MB/s)',
    ]);
    expect(state.warnings).toEqual([
      {
        message:
          'HEALTHCHECK is not supported for OCI image format and will be ignored. Must use `docker` format',
      },
    ]);
    p.end();
    expect(state.failed()).toBeUndefined();
  });

  it('keeps stdout and stderr lines apart however the chunks interleave', () => {
    const state = new SolveState();
    const p = new PlainProgressParser(state);
    // every split point of stdout, with the stderr warning arriving in the middle
    for (let cut = 1; cut < PODMAN_STDOUT.length; cut += 37) {
      const s = new SolveState();
      const q = new PlainProgressParser(s);
      q.feed(PODMAN_STDOUT.slice(0, cut), 'stdout');
      q.feed(PODMAN_STDERR.slice(0, 20), 'stderr');
      q.feed(PODMAN_STDOUT.slice(cut), 'stdout');
      q.feed(PODMAN_STDERR.slice(20), 'stderr');
      q.end();
      expect(s.steps().length).toBe(7);
      expect(s.warnings.length).toBe(1);
    }
    p.feed(PODMAN_STDOUT, 'stdout');
    p.end();
    expect(state.steps().length).toBe(7);
  });

  it('names a one-stage podman build without a stage, an unnamed stage stage-N', () => {
    const state = new SolveState();
    const p = new PlainProgressParser(state);
    p.feed('STEP 1/2: FROM python:3.11-slim\nSTEP 2/2: RUN true\n--> 0a1b2c3d4e5\nCOMMIT x\n', 'stdout');
    p.end();
    expect(state.steps().map((s) => s.name)).toEqual(['[1/2] FROM python:3.11-slim', '[2/2] RUN true']);
    const s2 = new SolveState();
    const q = new PlainProgressParser(s2);
    q.feed('[1/3] STEP 1/1: FROM a\n[2/3] STEP 1/1: FROM b AS named\n[3/3] STEP 1/1: FROM c\n');
    q.end();
    expect(s2.steps().map((s) => s.name)).toEqual([
      '[stage-0 1/1] FROM a',
      '[named 1/1] FROM b AS named',
      '[stage-2 1/1] FROM c',
    ]);
  });
});
