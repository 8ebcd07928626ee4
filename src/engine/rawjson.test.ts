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
    expect(steps[1]?.name).toBe('[stage1 2/3] RUN pip install flask');
    expect(steps[1]?.cached).toBe(true);
    expect(state.failed()?.name).toBe('[stage2 2/2] RUN exit 1');
  });
});
