import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  copyExample,
  docker,
  dockerBuild,
  examplesDir,
  freePort,
  imageLayers,
  imageSize,
  instructionSteps,
  listExamples,
  loadTestenv,
  parseBuildLog,
  parseEnvText,
  pollHttp,
  removeCopy,
  runContainer,
  stripSyntaxDirective,
  withContainer,
} from './index.js';

describe('testenv', () => {
  it('parses the shell assignments up.sh prints', () => {
    const vars = parseEnvText(
      'export PYCONTAIN_TEST_INDEX_URL=http://127.0.0.1:3141/simple/\nPYCONTAIN_TEST_PYTHON_SLIM=\'pycontain.test/python:3.11-slim\'\n# comment\nexport A="b c"\n',
    );
    expect(vars).toEqual({
      PYCONTAIN_TEST_INDEX_URL: 'http://127.0.0.1:3141/simple/',
      PYCONTAIN_TEST_PYTHON_SLIM: 'pycontain.test/python:3.11-slim',
      A: 'b c',
    });
  });

  it('loads every variable and exports them to process.env', async () => {
    const env = await loadTestenv();
    expect(env.indexUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/simple\/?$/);
    expect(env.pythonSlim).toBeTruthy();
    expect(existsSync(path.join(env.wheelhouse, 'manifest.json'))).toBe(true);
    expect(process.env.PYCONTAIN_TEST_PYTHON_FULL).toBe(env.pythonFull);
  });
});

describe('examples', () => {
  it('copies an example to a fresh directory and removes it', async () => {
    const names = await listExamples();
    expect(names.length).toBeGreaterThanOrEqual(14);
    const copy = await copyExample('flask-psycopg2-pip');
    expect(copy.startsWith(examplesDir)).toBe(false);
    await fsp.writeFile(path.join(copy, 'scratch.txt'), 'x');
    expect(existsSync(path.join(examplesDir, 'flask-psycopg2-pip', 'scratch.txt'))).toBe(false);
    await removeCopy(copy);
    expect(existsSync(copy)).toBe(false);
  });
});

describe('docker helpers', () => {
  it('builds, reads cache hits from the log, serves HTTP and always removes the container', async () => {
    const env = await loadTestenv();
    const dockerfileText = [
      `FROM ${env.pythonSlim}`,
      'WORKDIR /srv',
      'RUN echo "support self-test" > index.html',
      'CMD ["python", "-m", "http.server", "8000"]',
    ].join('\n');
    const opts = { context: examplesDir, dockerfileText, tag: 'pycontain-dev/e2esupport-selftest:latest' };
    await dockerBuild(opts);
    const again = await dockerBuild(opts);
    const run = instructionSteps(again.steps).filter((s) => s.instruction?.startsWith('RUN'));
    expect(run).toHaveLength(1);
    expect(run[0]!.cached).toBe(true);
    expect(await imageSize(opts.tag)).toBeGreaterThan(1_000_000);
    expect(await imageLayers(opts.tag)).toBeGreaterThan(0);

    let id = '';
    const answer = await withContainer(opts.tag, { port: 8000 }, async (c) => {
      id = c.id;
      return pollHttp(`${c.url}/index.html`, { timeoutMs: 60_000, container: c });
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('support self-test');
    expect((await docker(['inspect', id])).code).not.toBe(0);

    // also removed when the callback throws
    await expect(
      withContainer(opts.tag, {}, async (c) => {
        id = c.id;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await docker(['inspect', id])).code).not.toBe(0);
  });

  it('reports a failing step with its name', async () => {
    const env = await loadTestenv();
    const result = await dockerBuild({
      context: examplesDir,
      dockerfileText: `FROM ${env.pythonSlim}\nRUN exit 3\n`,
      tag: 'pycontain-dev/e2esupport-fail:latest',
      check: false,
    });
    expect(result.ok).toBe(false);
    const failed = result.steps.find((s) => s.error);
    expect(failed?.instruction).toBe('RUN exit 3');
  });

  it('pollHttp fails early with logs when the container exits', async () => {
    const env = await loadTestenv();
    const c = await runContainer(env.pythonSlim, { port: 8000, command: ['python', '-c', 'print("bye")'] });
    try {
      await expect(pollHttp(`${c.url}/`, { timeoutMs: 60_000, container: c })).rejects.toThrow(
        /exited[\s\S]*bye/,
      );
    } finally {
      await c.remove();
    }
  });

  it('builds a Dockerfile naming a syntax frontend without a registry', async () => {
    const env = await loadTestenv();
    const result = await dockerBuild({
      context: examplesDir,
      dockerfileText: `# syntax=docker/dockerfile:1\nFROM ${env.pythonSlim}\nRUN --mount=type=cache,target=/root/.cache true\n`,
      tag: 'pycontain-dev/e2esupport-syntax:latest',
    });
    expect(result.ok).toBe(true);
    // The testenv reaches no registry: the directive had to go (elsewhere the frontend is pulled).
    expect(typeof result.syntaxStripped).toBe('boolean');
  });

  it('finds free ports', async () => {
    const a = await freePort();
    expect(a).toBeGreaterThan(0);
  });
});

describe('stripSyntaxDirective', () => {
  it('drops only a leading parser directive', () => {
    expect(stripSyntaxDirective('# syntax=docker/dockerfile:1\nFROM x\n')).toBe('FROM x\n');
    expect(stripSyntaxDirective('# escape=`\n# syntax = docker/dockerfile:1.7\nFROM x')).toBe(
      '# escape=`\nFROM x',
    );
    expect(stripSyntaxDirective('# a comment\n# syntax=docker/dockerfile:1\nFROM x')).toBe(
      '# a comment\n# syntax=docker/dockerfile:1\nFROM x',
    );
    expect(stripSyntaxDirective('FROM x\n# syntax=docker/dockerfile:1\n')).toBe(
      'FROM x\n# syntax=docker/dockerfile:1\n',
    );
  });
});

describe('parseBuildLog', () => {
  it('splits a plain progress log into steps', () => {
    const log = [
      '#0 building with "default" instance using docker driver',
      '#1 [internal] load build definition from Dockerfile',
      '#1 transferring dockerfile: 120B done',
      '#1 DONE 0.0s',
      '#5 [builder 2/4] RUN pip install -r requirements.txt',
      '#5 CACHED',
      '#6 [stage-1 3/3] COPY . .',
      '#6 DONE 0.1s',
      '#7 [4/4] RUN false',
      '#7 0.251 something went wrong',
      '#7 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1',
    ].join('\n');
    const steps = parseBuildLog(log);
    expect(steps.map((s) => s.id)).toEqual([1, 5, 6, 7]);
    expect(steps[0]).toMatchObject({ stage: null, instruction: null, done: true });
    expect(steps[1]).toMatchObject({
      stage: 'builder',
      instruction: 'RUN pip install -r requirements.txt',
      cached: true,
    });
    expect(steps[2]).toMatchObject({ stage: 'stage-1', instruction: 'COPY . .', done: true, cached: false });
    expect(steps[3]).toMatchObject({ stage: '', instruction: 'RUN false', output: ['something went wrong'] });
    expect(steps[3]!.error).toMatch(/did not complete/);
  });
});
