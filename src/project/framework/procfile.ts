/** A Procfile's web process: honoured, but repaired (no development server, no release steps, bind 0.0.0.0). */
import path from 'node:path';
import type { Framework, Warning } from '../../plan.js';
import { frameworksData } from '../framework-data.js';
import type { Candidate } from './candidate.js';

export interface ProcfileLine {
  name: string;
  command: string;
  line: number;
}

export function parseProcfile(text: string): ProcfileLine[] {
  const out: ProcfileLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*([A-Za-z0-9_-]+)\s*:\s*(.*?)\s*$/.exec(raw);
    if (m?.[2] && !raw.trimStart().startsWith('#'))
      out.push({ name: m[1] as string, command: m[2], line: i + 1 });
  });
  return out;
}

/** POSIX-shell-like split for simple commands; null when the command needs a real shell. */
export function shellSplit(cmd: string): string[] | null {
  const args: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i] as string;
    if (c === "'") {
      const j = cmd.indexOf("'", i + 1);
      if (j < 0) return null;
      cur += cmd.slice(i + 1, j);
      has = true;
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < cmd.length && cmd[j] !== '"'; j++) {
        if (cmd[j] === '\\' && j + 1 < cmd.length) {
          cur += cmd[++j];
          continue;
        }
        if (cmd[j] === '`') return null;
        cur += cmd[j];
      }
      if (j >= cmd.length) return null;
      has = true;
      i = j;
    } else if (c === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) args.push(cur);
      cur = '';
      has = false;
    } else if ('|&;<>()`'.includes(c)) {
      return null;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) args.push(cur);
  return args;
}

const PORT_VAR = /\$\{PORT(?::?-(\d+))?\}|\$PORT\b/g;
const RELEASE_STEP =
  /\b(migrate|collectstatic|makemigrations|alembic\s+upgrade|flask\s+db\s+upgrade|db\s+upgrade|pip\s+install|npm\s)/;

export interface Repaired {
  command: string[] | null;
  port: number | null;
  framework: Framework | null;
  /** The import target the server is given ('app.main:app'), when there is one. */
  target: string | null;
  reason: string;
  warnings: Warning[];
}

export function repairProcfile(
  web: ProcfileLine,
  framework: Framework,
  defaultPort: number | null,
  best: Candidate | undefined,
  generated: (c: Candidate) => string[],
): Repaired {
  const data = frameworksData();
  const warnings: Warning[] = [];
  let text = web.command.trim();
  const segments = text.split(/\s*&&\s*/);
  if (segments.length > 1) {
    const release = segments.filter((s) => RELEASE_STEP.test(s));
    const kept = segments.filter((s) => !RELEASE_STEP.test(s));
    if (release.length > 0) {
      warnings.push({
        code: 'procfile-migrate',
        message: `Procfile web runs "${release.join(' && ')}" before the server; left out of the image's command: run it once per deploy (a release job or init container), not on every container start`,
      });
      text = kept.join(' && ');
    }
  }
  text = text.replace(/^exec\s+/, '');
  for (const dev of data.devServers) {
    if (new RegExp(dev.match).test(text)) {
      const fw = dev.framework as Framework;
      const cmd = best && best.framework === fw ? generated(best) : null;
      warnings.push({
        code: 'dev-server',
        message: `Procfile web runs the development server (${dev.why}); the image uses ${cmd ? cmd.join(' ') : 'a production server'} instead`,
      });
      return {
        command: cmd,
        port: null,
        framework: fw,
        target: null,
        reason: `Procfile web named a development server, replaced`,
        warnings,
      };
    }
  }
  let port = defaultPort;
  const portVar = /\$\{PORT:-(\d+)\}/.exec(text);
  if (portVar) port = Number(portVar[1]);
  const usesPortVar = PORT_VAR.test(text);
  PORT_VAR.lastIndex = 0;
  const fixed = text.replace(PORT_VAR, () => String(port ?? 8000));
  let argv = shellSplit(fixed);
  if (!argv || argv.length === 0 || /\$/.test(fixed)) {
    warnings.push({
      code: 'procfile-shell',
      message:
        'Procfile web needs a shell (pipes, variables or chaining): it runs through sh -c, which distroless images do not have',
    });
    return {
      command: ['sh', '-c', fixed],
      port,
      framework: null,
      target: null,
      reason: 'the Procfile web process, run by a shell',
      warnings,
    };
  }
  const prog = path.posix.basename(argv[0] as string);
  if (['gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'streamlit'].includes(prog)) {
    // --port=5000 -> --port 5000, so each flag is found and fixed in one place.
    argv = argv.flatMap((a) =>
      /^--[\w.-]+=/.test(a) ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a],
    );
  }
  // Bind to all interfaces: a server on 127.0.0.1 cannot be reached through a published port.
  const fixBind = (flagIdx: number) => {
    const v = argv?.[flagIdx + 1];
    if (!v) return;
    const m = /^(?:(.*):)?(\d+)$/.exec(v);
    if (m) {
      port = Number(m[2]);
      if (m[1] !== '0.0.0.0' && m[1] !== '[::]') {
        (argv as string[])[flagIdx + 1] = `0.0.0.0:${m[2]}`;
        if (m[1])
          warnings.push({
            code: 'procfile-bind',
            message: `Procfile web binds ${v}; the image binds 0.0.0.0:${m[2]} so the port can be published`,
          });
      }
    }
  };
  if (prog === 'gunicorn') {
    const j = argv.findIndex((a) => a === '--bind' || a === '-b');
    if (j >= 0) fixBind(j);
    else argv.push('--bind', `0.0.0.0:${port ?? 8000}`);
    port ??= 8000;
  } else if (prog === 'uvicorn' || prog === 'hypercorn' || prog === 'daphne') {
    const hostFlag = prog === 'daphne' ? ['-b', '--bind'] : ['--host'];
    const h = argv.findIndex((a) => hostFlag.includes(a));
    if (prog === 'hypercorn') {
      const b = argv.findIndex((a) => a === '--bind' || a === '-b');
      if (b >= 0) fixBind(b);
      else argv.push('--bind', `0.0.0.0:${port ?? 8000}`);
    } else if (h >= 0) {
      if (argv[h + 1] !== '0.0.0.0') {
        warnings.push({
          code: 'procfile-bind',
          message: `Procfile web listens on ${argv[h + 1]}; the image listens on 0.0.0.0`,
        });
        argv[h + 1] = '0.0.0.0';
      }
    } else argv.push(hostFlag[0] as string, '0.0.0.0');
    const p = argv.findIndex((a) => a === '--port' || a === '-p');
    if (p >= 0 && /^\d+$/.test(argv[p + 1] ?? '')) port = Number(argv[p + 1]);
    else if (prog !== 'hypercorn') {
      port ??= 8000;
      argv.push(prog === 'daphne' ? '-p' : '--port', String(port));
    }
  } else if (prog === 'streamlit') {
    const p = argv.indexOf('--server.port');
    if (p >= 0 && /^\d+$/.test(argv[p + 1] ?? '')) port = Number(argv[p + 1]);
    if (!argv.includes('--server.address')) argv.push('--server.address', '0.0.0.0');
  }
  let fw: Framework | null = null;
  if (prog === 'celery') fw = 'celery';
  else if (prog === 'streamlit') fw = 'streamlit';
  if (best && framework !== 'unknown') fw = framework;
  argv = argv.filter((a) => a !== '');
  const target = ['gunicorn', 'uvicorn', 'hypercorn', 'daphne'].includes(prog)
    ? (argv
        .slice(1)
        .find((a, i, all) => /^[\w.]+:[\w.]+(\(.*\))?$/.test(a) && !/^-/.test(all[i - 1] ?? '')) ?? null)
    : null;
  return {
    command: argv,
    port,
    framework: fw,
    target,
    reason: usesPortVar
      ? `the Procfile web process, with $PORT fixed to ${port} (exec form has no variable expansion)`
      : 'the Procfile web process',
    warnings,
  };
}
