import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../engine/errors.js';
import { InputError } from '../plan.js';
import { engineSocket, saveImageStream } from './engine.js';

const saved = { DOCKER_HOST: process.env.DOCKER_HOST, PATH: process.env.PATH };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('engine access', () => {
  it('reads the socket from DOCKER_HOST', () => {
    expect(engineSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toBe(
      '/run/user/1000/docker.sock',
    );
    expect(engineSocket({ DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toBeNull();
    expect(engineSocket({})).toBe('/var/run/docker.sock');
  });

  it('no socket and no CLI: an EngineError (exit 4)', async () => {
    process.env.DOCKER_HOST = `unix://${path.join(os.tmpdir(), 'pycontain-no-such.sock')}`;
    process.env.PATH = '/nonexistent';
    const err = await saveImageStream('x:1').catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.exitCode).toBe(4);
    const err2 = await saveImageStream('x:1', 'podman').catch((e) => e);
    expect(err2).toBeInstanceOf(EngineError);
  });

  it('a 404 from the engine is bad input naming the image; other statuses are engine errors', async () => {
    const sock = path.join(os.tmpdir(), `pycontain-engine-test-${process.pid}.sock`);
    const server = http.createServer((req, res) => {
      if (req.url?.includes('missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"message":"reference does not exist"}');
      } else {
        res.writeHead(500);
        res.end('{"message":"boom"}');
      }
    });
    await new Promise<void>((r) => server.listen(sock, () => r()));
    try {
      // Without a docker CLI on PATH the Engine API is used.
      process.env.PATH = '/nonexistent';
      process.env.DOCKER_HOST = `unix://${sock}`;
      const e1 = await saveImageStream('missing:1').catch((e) => e);
      expect(e1).toBeInstanceOf(InputError);
      expect(e1.message).toContain('missing:1');
      const e2 = await saveImageStream('other:1').catch((e) => e);
      expect(e2).toBeInstanceOf(EngineError);
      expect(e2.message).toContain('boom');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
