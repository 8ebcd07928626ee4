import { spawn } from 'node:child_process';
import http from 'node:http';
import { Readable } from 'node:stream';
import { EngineError } from '../engine/errors.js';
import { InputError } from '../plan.js';

export type EngineKind = 'docker' | 'podman';

/** The unix socket of the Docker-compatible API, from DOCKER_HOST or the default path. */
export function engineSocket(env: NodeJS.ProcessEnv = process.env): string | null {
  const host = env.DOCKER_HOST;
  if (host) return host.startsWith('unix://') ? host.slice('unix://'.length) : null;
  return '/var/run/docker.sock';
}

function apiRequest(socketPath: string, path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path, method: 'GET', headers: { Host: 'docker' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function readBody(res: Readable, cap = 64 * 1024): Promise<string> {
  let s = '';
  for await (const c of res) {
    if (s.length < cap) s += (c as Buffer).toString();
  }
  return s;
}

/**
 * Stream `docker save` of one image: the `docker save` / `podman save` CLI's stdout when the CLI is
 * installed (it honours contexts; and its pipe costs far less memory than an HTTP body read through
 * node:http, measured ~50 MB less peak RSS on a 1 GB image), else the Engine API
 * `GET /images/{name}/get` over the unix socket. Nothing is written to disk.
 */
export async function saveImageStream(ref: string, engine: EngineKind = 'docker'): Promise<Readable> {
  try {
    return await cliSave(ref, engine);
  } catch (err) {
    if (!(err instanceof CliMissing) || engine !== 'docker')
      throw err instanceof CliMissing ? err.engineError : err;
  }
  const socket = engineSocket();
  if (!socket)
    throw new EngineError(`no docker CLI, and DOCKER_HOST=${process.env.DOCKER_HOST} is not a unix socket`);
  let res: http.IncomingMessage;
  try {
    res = await apiRequest(socket, `/images/${encodeURIComponent(ref)}/get`);
  } catch (err) {
    throw new EngineError(
      `no docker CLI, and the engine at ${socket} did not answer: ${(err as Error).message}`,
    );
  }
  if (res.statusCode === 200) return res;
  const body = await readBody(res);
  let message = body;
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    /* plain text */
  }
  if (res.statusCode === 404) throw new InputError(`no such image in the engine: ${ref} (${message.trim()})`);
  throw new EngineError(`docker engine answered ${res.statusCode}: ${message.trim()}`);
}

class CliMissing extends Error {
  constructor(readonly engineError: EngineError) {
    super(engineError.message);
  }
}

function cliSave(ref: string, engine: EngineKind): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const child = spawn(engine, ['save', ref], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let started = false;
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4000) stderr += b.toString();
    });
    child.on('error', (err) => {
      const e = new EngineError(
        `cannot run '${engine} save': ${(err as NodeJS.ErrnoException).code ?? err.message}`,
      );
      reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? new CliMissing(e) : e);
    });
    const out = new Readable({ read() {} });
    child.stdout.on('data', (b: Buffer) => {
      if (!started) {
        started = true;
        resolve(out);
      }
      if (!out.push(b)) child.stdout.pause();
    });
    out._read = () => child.stdout.resume();
    child.on('close', (code) => {
      if (code === 0) {
        if (!started) resolve(out);
        out.push(null);
        return;
      }
      const msg = stderr.trim() || `exit code ${code}`;
      // podman: `Error: NAME: image not known`
      const err = /no such image|not found|does not exist|reference does not exist|image not known/i.test(msg)
        ? new InputError(`no such image in ${engine}: ${ref} (${msg})`)
        : /cannot connect|daemon|permission denied|connection refused/i.test(msg)
          ? new EngineError(`${engine}: ${msg}`)
          : new EngineError(`${engine} save failed: ${msg}`);
      if (!started) reject(err);
      else out.destroy(err);
    });
  });
}
