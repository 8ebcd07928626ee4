import { spawn } from 'node:child_process';
import http from 'node:http';
import { Readable } from 'node:stream';
import { InputError } from '../plan.js';

/** The engine is missing or did not answer: the CLI exits 3. */
export class EngineError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

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
 * Stream `docker save` of one image: the Engine API `GET /images/{name}/get` over the unix socket when
 * there is one, else the `docker save` / `podman save` CLI. Nothing is written to disk.
 */
export async function saveImageStream(ref: string, engine: EngineKind = 'docker'): Promise<Readable> {
  if (engine === 'docker') {
    const socket = engineSocket();
    if (socket) {
      let res: http.IncomingMessage | null = null;
      try {
        res = await apiRequest(socket, `/images/${encodeURIComponent(ref)}/get`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // No socket at that path: try the CLI (it may know a context or a remote host).
        if (code !== 'ENOENT' && code !== 'ECONNREFUSED' && code !== 'EACCES') {
          throw new EngineError(`docker engine at ${socket}: ${(err as Error).message}`);
        }
      }
      if (res) {
        if (res.statusCode === 200) return res;
        const body = await readBody(res);
        let message = body;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? body;
        } catch {
          /* plain text */
        }
        if (res.statusCode === 404)
          throw new InputError(`no such image in the engine: ${ref} (${message.trim()})`);
        throw new EngineError(`docker engine answered ${res.statusCode}: ${message.trim()}`);
      }
    }
  }
  return cliSave(ref, engine);
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
      reject(
        new EngineError(`cannot run '${engine} save': ${(err as NodeJS.ErrnoException).code ?? err.message}`),
      );
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
      const err = /no such image|not found|does not exist|reference does not exist/i.test(msg)
        ? new InputError(`no such image in ${engine}: ${ref} (${msg})`)
        : /cannot connect|daemon|permission denied|connection refused/i.test(msg)
          ? new EngineError(`${engine}: ${msg}`)
          : new EngineError(`${engine} save failed: ${msg}`);
      if (!started) reject(err);
      else out.destroy(err);
    });
  });
}
