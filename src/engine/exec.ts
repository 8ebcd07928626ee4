import { type ChildProcess, spawn } from 'node:child_process';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import path from 'node:path';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The program could not be started at all (ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
  timedOut: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Uint8Array;
  /** Kill the child after this many milliseconds. */
  timeoutMs?: number;
  /** Called with each chunk of stderr as it arrives (stdout is still captured). */
  onStderr?: (chunk: string) => void;
  onStdout?: (chunk: string) => void;
  /** Called once the child exists, so a caller can kill it on Ctrl-C. */
  onSpawn?: (child: ChildProcess) => void;
  /** Cap on captured output per stream, keeping the tail. */
  maxCapture?: number;
}

const DEFAULT_CAPTURE = 8 * 1024 * 1024;

/** Run a program without a shell and collect its output. Never throws for a non-zero exit. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const max = opts.maxCapture ?? DEFAULT_CAPTURE;
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      resolve({
        code: null,
        signal: null,
        stdout: '',
        stderr: '',
        spawnError: err as NodeJS.ErrnoException,
        timedOut,
      });
      return;
    }
    opts.onSpawn?.(child);
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      stdout += d;
      if (stdout.length > max) stdout = stdout.slice(stdout.length - max);
      opts.onStdout?.(d);
    });
    child.stderr?.on('data', (d: string) => {
      stderr += d;
      if (stderr.length > max) stderr = stderr.slice(stderr.length - max);
      opts.onStderr?.(d);
    });
    const finish = (r: Omit<RunResult, 'stdout' | 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({ ...r, stdout, stderr, timedOut });
    };
    child.on('error', (err) =>
      finish({ code: null, signal: null, spawnError: err as NodeJS.ErrnoException }),
    );
    child.on('close', (code, signal) => finish({ code, signal }));
    child.stdin?.on('error', () => {
      // the child may exit before reading its input; its exit status tells the story
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Find an executable on PATH the way a shell would (no shell involved). */
export async function which(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (name.includes('/')) return (await isExecutable(name)) ? name : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return false;
    await fsp.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The last `n` non-empty lines of a text, for error messages that quote the engine. */
export function lastLines(text: string, n: number): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(Math.max(0, lines.length - n));
}
