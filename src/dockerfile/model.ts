/**
 * A small instruction model for the Dockerfiles pycontain writes, and its writer.
 *
 * Generated text never goes through string templates: every instruction is a typed value, exec
 * form is written with JSON.stringify (so quotes, backslashes and unicode in argv survive), shell
 * commands are joined with `&& \` continuation lines, and values that Dockerfile variable
 * substitution would touch (`$` in ENV/LABEL/COPY) are escaped.
 */

export interface Mount {
  type: 'cache' | 'secret' | 'bind';
  /** Ordered key=value options besides `type`, e.g. [['target', '/root/.cache/pip'], ['sharing', 'locked']]. */
  options: [string, string][];
}

export type Instruction =
  | { kind: 'comment'; text: string }
  | { kind: 'blank' }
  | { kind: 'from'; image: string; as?: string }
  /** `raw` writes the default as-is (for `${OTHER_ARG}` references), else it is quoted and `$`-escaped. */
  | { kind: 'arg'; name: string; value?: string; raw?: boolean }
  /** ENV pairs; `raw` values are written as-is (for `${PATH}` expansion), the others quoted and `$`-escaped. */
  | { kind: 'env'; pairs: [string, string][]; raw?: string[] }
  | { kind: 'label'; pairs: [string, string][] }
  | { kind: 'run'; commands: string[]; mounts?: Mount[] }
  | { kind: 'copy'; sources: string[]; dest: string; from?: string; chown?: string; link?: boolean }
  /** `COPY <<'DELIM' dest` with a literal body (quoted delimiter: no variable expansion). */
  | { kind: 'copyHeredoc'; dest: string; body: string; delimiter: string }
  | { kind: 'workdir'; path: string }
  | { kind: 'user'; user: string }
  | { kind: 'expose'; port: number }
  | { kind: 'cmd'; argv: string[] }
  | { kind: 'entrypoint'; argv: string[] }
  | { kind: 'healthcheck'; options: [string, string][]; argv: string[] };

export interface Stage {
  /** Stage name (`AS name`), or undefined for an unnamed final stage. */
  name?: string;
  /** Instructions of the stage; the first must be a `from`. */
  instructions: Instruction[];
}

export interface DockerfileModel {
  /** Parser directives, written before anything else, e.g. [['syntax', 'docker/dockerfile:1']]. */
  directives: [string, string][];
  /** Comment lines written after the directives (header). */
  header: string[];
  /** ARGs declared before the first FROM (global scope). */
  globalArgs: { name: string; value?: string; raw?: boolean }[];
  stages: Stage[];
}

const INDENT = '    ';

/** Quote a word for /bin/sh when it needs it. */
export function shQuote(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** Join argv into one /bin/sh command line. */
export function shJoin(argv: string[]): string {
  return argv.map(shQuote).join(' ');
}

/** Escape a value for ENV/LABEL: double-quoted, with Dockerfile escapes and `$` protected from substitution. */
export function dockerfileQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@,+=-]+$/.test(value)) return value;
  let out = '"';
  for (const ch of value) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '$') out += '\\$';
    else if (ch === '\n' || ch === '\r')
      throw new Error(
        `value ${JSON.stringify(value)}: Dockerfile ENV/LABEL/ARG values cannot hold a line break`,
      );
    else out += ch;
  }
  return `${out}"`;
}

/** Exec form: a JSON array of strings (what the Docker parser reads), spaced for reading. */
export function execForm(argv: string[]): string {
  return `[${argv.map((a) => JSON.stringify(a)).join(', ')}]`;
}

/** A path for COPY/WORKDIR: refuse characters we cannot write safely rather than emit a wrong file. */
export function dockerfilePath(p: string): string {
  if (/[\s"'$\\]/.test(p))
    throw new Error(
      `path ${JSON.stringify(p)} contains characters pycontain does not write into a Dockerfile`,
    );
  return p;
}

function formatMount(m: Mount): string {
  return `--mount=${[`type=${m.type}`, ...m.options.map(([k, v]) => `${k}=${v}`)].join(',')}`;
}

function writeRun(ins: Extract<Instruction, { kind: 'run' }>): string {
  const mounts = ins.mounts ?? [];
  const parts: string[] = [];
  if (mounts.length === 0) {
    parts.push(`RUN ${ins.commands[0]}`);
  } else {
    parts.push(`RUN ${formatMount(mounts[0] as Mount)}`);
    for (const m of mounts.slice(1)) parts.push(`${INDENT}${formatMount(m)}`);
    parts.push(`${INDENT}${ins.commands[0]}`);
  }
  // Commands may span several lines themselves (a `\` continuation inside one command).
  const lines: string[] = [];
  for (let i = 0; i < parts.length - 1; i++) lines.push(`${parts[i]} \\`);
  let last = parts[parts.length - 1] as string;
  for (const cmd of ins.commands.slice(1)) {
    lines.push(`${last} \\`);
    last = `${INDENT}&& ${cmd}`;
  }
  lines.push(last);
  return lines.join('\n');
}

export function writeInstruction(ins: Instruction): string {
  switch (ins.kind) {
    case 'comment':
      return ins.text
        .split('\n')
        .map((l) => (l ? `# ${l}` : '#'))
        .join('\n');
    case 'blank':
      return '';
    case 'from':
      return `FROM ${ins.image}${ins.as ? ` AS ${ins.as}` : ''}`;
    case 'arg':
      if (ins.value === undefined) return `ARG ${ins.name}`;
      return `ARG ${ins.name}=${ins.raw ? ins.value : dockerfileQuote(ins.value)}`;
    case 'env':
    case 'label': {
      const kw = ins.kind === 'env' ? 'ENV' : 'LABEL';
      const raw = ins.kind === 'env' ? (ins.raw ?? []) : [];
      const pairs = ins.pairs.map(([k, v]) => `${k}=${raw.includes(k) ? v : dockerfileQuote(v)}`);
      if (pairs.length === 1) return `${kw} ${pairs[0]}`;
      return `${kw} ${pairs.join(` \\\n${INDENT}`)}`;
    }
    case 'run':
      return writeRun(ins);
    case 'copy': {
      const flags: string[] = [];
      if (ins.from) flags.push(`--from=${ins.from}`);
      if (ins.chown) flags.push(`--chown=${ins.chown}`);
      if (ins.link) flags.push('--link');
      const paths = [...ins.sources, ins.dest].map(dockerfilePath);
      return ['COPY', ...flags, ...paths].join(' ');
    }
    case 'copyHeredoc': {
      const body = ins.body.endsWith('\n') ? ins.body : `${ins.body}\n`;
      if (body.split('\n').includes(ins.delimiter))
        throw new Error(`heredoc body contains its delimiter ${ins.delimiter}`);
      return `COPY <<'${ins.delimiter}' ${dockerfilePath(ins.dest)}\n${body}${ins.delimiter}`;
    }
    case 'workdir':
      return `WORKDIR ${dockerfilePath(ins.path)}`;
    case 'user':
      return `USER ${ins.user}`;
    case 'expose':
      return `EXPOSE ${ins.port}`;
    case 'cmd':
      return `CMD ${execForm(ins.argv)}`;
    case 'entrypoint':
      return `ENTRYPOINT ${execForm(ins.argv)}`;
    case 'healthcheck': {
      const opts = ins.options.map(([k, v]) => `--${k}=${v}`).join(' ');
      return `HEALTHCHECK ${opts} \\\n${INDENT}CMD ${execForm(ins.argv)}`;
    }
  }
}

export function writeDockerfile(model: DockerfileModel): string {
  const out: string[] = [];
  for (const [k, v] of model.directives) out.push(`# ${k}=${v}`);
  for (const h of model.header) out.push(h ? `# ${h}` : '#');
  if (model.globalArgs.length) {
    out.push('');
    for (const a of model.globalArgs) out.push(writeInstruction({ kind: 'arg', ...a }));
  }
  for (const stage of model.stages) {
    out.push('');
    for (const ins of stage.instructions) out.push(writeInstruction(ins));
  }
  // Collapse accidental double blank lines so the file reads cleanly.
  const text = out.join('\n').replace(/\n{3,}/g, '\n\n');
  return `${text.trimEnd()}\n`;
}
