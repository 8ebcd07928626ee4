/** Queries shared by the rules: package-manager commands found in RUN, flags, env values. */
import type { Inst, Stage } from './model.js';
import { baseName, type Command, effectiveArgv, type Word } from './shell.js';

export interface ToolCall {
  inst: Inst;
  cmd: Command;
  /** argv of the real command (wrappers like sudo/env removed). */
  argv: Word[];
  /** Index in argv of the subcommand word (`install`, `sync`, ...). */
  sub: number;
  /** Words after the subcommand. */
  rest: Word[];
  /** Assignments before the command (`PIP_NO_CACHE_DIR=1 pip ...`, `env X=1 ...`). */
  assignments: Word[];
}

const PIP = /^pip(3(\.\d+)?)?$/;
const PYTHON = /^python(3(\.\d+)?)?$/;

type Effective = { cmd: Command; argv: Word[]; assignments: Word[] };
const effectiveCache = new WeakMap<Inst, Effective[]>();

/** Every command of a RUN, with wrappers removed (computed once per instruction). */
export function commandsOf(inst: Inst): Effective[] {
  let list = effectiveCache.get(inst);
  if (!list) {
    list = [];
    for (const cmd of inst.commands) {
      if (cmd.argv.length === 0) continue;
      const { argv, assignments } = effectiveArgv(cmd);
      if (argv.length > 0) list.push({ cmd, argv, assignments });
    }
    effectiveCache.set(inst, list);
  }
  return list;
}

function subcommandIndex(argv: Word[], from: number, names: readonly string[]): number {
  for (let k = from; k < argv.length; k++) {
    const v = argv[k]!.value;
    if (v.startsWith('-')) continue;
    return names.includes(v) ? k : -1;
  }
  return -1;
}

/** `pip install`, `pip3 install`, `python -m pip install`, `/opt/venv/bin/pip install`; with `uv: true` also `uv pip install`. */
export function pipInstalls(inst: Inst, opts: { uv?: boolean } = {}): (ToolCall & { via: 'pip' | 'uv' })[] {
  const out: (ToolCall & { via: 'pip' | 'uv' })[] = [];
  for (const { cmd, argv, assignments } of commandsOf(inst)) {
    const name = baseName(argv[0]);
    let sub = -1;
    let via: 'pip' | 'uv' = 'pip';
    if (PIP.test(name)) sub = subcommandIndex(argv, 1, ['install']);
    else if (PYTHON.test(name)) {
      const m = argv.findIndex((w) => w.value === '-m');
      if (m > 0 && argv[m + 1]?.value === 'pip') sub = subcommandIndex(argv, m + 2, ['install']);
    } else if (opts.uv && name === 'uv' && argv[1]?.value === 'pip') {
      sub = subcommandIndex(argv, 2, ['install']);
      via = 'uv';
    }
    if (sub > 0) out.push({ inst, cmd, argv, sub, rest: argv.slice(sub + 1), assignments, via });
  }
  return out;
}

/** `<tool> <sub>` calls, e.g. tool 'poetry' subs ['install','sync']. */
export function toolCalls(inst: Inst, tool: string, subs: readonly string[]): ToolCall[] {
  const out: ToolCall[] = [];
  for (const { cmd, argv, assignments } of commandsOf(inst)) {
    let start = 1;
    const name = baseName(argv[0]);
    if (name !== tool) {
      // python -m poetry / python -m pipenv / python -m pdm
      if (!PYTHON.test(name) || argv[1]?.value !== '-m' || argv[2]?.value !== tool) continue;
      start = 3;
    }
    const sub = subcommandIndex(argv, start, subs);
    if (sub > 0) out.push({ inst, cmd, argv, sub, rest: argv.slice(sub + 1), assignments });
  }
  return out;
}

/** `apt-get <sub>` / `apt <sub>`. */
export function aptCalls(inst: Inst, subs: readonly string[]): ToolCall[] {
  return [...toolCalls(inst, 'apt-get', subs), ...toolCalls(inst, 'apt', subs)];
}

/** True when a flag is present: long (`--name`, `--name=v`) or short (also inside clusters like `-qy`). */
export function hasFlag(words: Word[], ...names: string[]): boolean {
  for (const w of words) {
    const v = w.value;
    if (v === '--') return false;
    for (const n of names) {
      if (n.startsWith('--')) {
        if (v === n || v.startsWith(`${n}=`)) return true;
      } else if (n.length === 2 && /^-[A-Za-z]+$/.test(v) && v.includes(n[1]!)) return true;
    }
  }
  return false;
}

/** The value of `--name value` or `--name=value`. */
export function flagValue(words: Word[], ...names: string[]): Word | null {
  for (let k = 0; k < words.length; k++) {
    const v = words[k]!.value;
    for (const n of names) {
      if (v === n) return words[k + 1] ?? null;
      if (v.startsWith(`${n}=`)) return { ...words[k]!, value: v.slice(n.length + 1) };
    }
  }
  return null;
}

/** Positional arguments (not flags), skipping the values of the given options. */
export function positionals(words: Word[], optionsWithValue: ReadonlySet<string>): Word[] {
  const out: Word[] = [];
  for (let k = 0; k < words.length; k++) {
    const v = words[k]!.value;
    if (v.startsWith('-')) {
      if (!v.includes('=') && optionsWithValue.has(v)) k++;
      continue;
    }
    out.push(words[k]!);
  }
  return out;
}

export const PIP_OPTS_WITH_VALUE = new Set([
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-e',
  '--editable',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--trusted-host',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--src',
  '--upgrade-strategy',
  '--progress-bar',
  '--root-user-action',
  '--config-settings',
  '-C',
  '--global-option',
  '--no-binary',
  '--only-binary',
  '--cache-dir',
  '--log',
  '--python',
  '--report',
  '--proxy',
  '--retries',
  '--timeout',
  '--exists-action',
  '--cert',
  '--client-cert',
  '--group',
]);

const TRUTHY = /^(1|true|yes|on)$/i;

export function isTruthy(v: string | null | undefined): boolean {
  return v !== null && v !== undefined && TRUTHY.test(v.trim());
}

/** Value of an environment variable for a command: inline assignment, `export` earlier in the RUN, or ENV. */
export function envValue(
  call: { inst: Inst; cmd: Command; assignments: Word[] },
  name: string,
): string | null {
  for (const a of call.assignments) {
    if (a.value.startsWith(`${name}=`)) return a.value.slice(name.length + 1);
  }
  let exported: string | null = null;
  for (const c of call.inst.commands) {
    if (c === call.cmd) break;
    if (c.argv.length === 0) {
      for (const a of c.assignments)
        if (a.value.startsWith(`${name}=`)) exported = a.value.slice(name.length + 1);
      continue;
    }
    if (baseName(c.argv[0]) === 'export') {
      for (const a of c.argv.slice(1))
        if (a.value.startsWith(`${name}=`)) exported = a.value.slice(name.length + 1);
    }
  }
  if (exported !== null) return exported;
  const v = call.inst.env.get(name);
  return v === undefined ? null : v;
}

/** A `--mount=type=cache` (or tmpfs) whose target matches. */
export function hasCacheMount(inst: Inst, target: (t: string) => boolean): boolean {
  return inst.mounts.some(
    (m) => (m.type === 'cache' || m.type === 'tmpfs') && m.target !== null && target(m.target),
  );
}

export function runs(stage: Stage): Inst[] {
  return stage.instructions.filter((i) => i.keyword === 'RUN');
}

/** A COPY/ADD source that copies the whole build context (`.`, `./`, `*`). */
export function isWholeContext(v: string): boolean {
  return v === '.' || v === './' || v === '*' || v === './*' || v === '.*';
}

/** COPY/ADD sources (without --from) and destination. */
export function copyParts(inst: Inst): {
  sources: { value: string; start: number; end: number }[];
  dest: string | null;
} {
  if (inst.args.length === 0) return { sources: [], dest: null };
  const exec = inst.args[0]!.value.startsWith('[');
  if (exec) {
    try {
      const arr = JSON.parse(inst.args.map((a) => a.value).join(' ')) as string[];
      const a0 = inst.args[0]!;
      const end = inst.args[inst.args.length - 1]!.end;
      return {
        sources: arr.slice(0, -1).map((v) => ({ value: v, start: a0.start, end })),
        dest: arr.at(-1) ?? null,
      };
    } catch {
      return { sources: [], dest: null };
    }
  }
  if (inst.args.length < 2) return { sources: [], dest: null };
  return { sources: inst.args.slice(0, -1), dest: inst.args[inst.args.length - 1]!.value };
}

/** The `--from=` of a COPY, or null. */
export function copyFrom(inst: Inst): string | null {
  const f = inst.flags.find((x) => x.name === 'from');
  return f?.flagValue ?? null;
}

/** A command that installs the project's dependencies (not tools like `pip install poetry`). */
export function isDependencyInstall(inst: Inst): boolean {
  for (const p of pipInstalls(inst, { uv: true })) {
    if (hasFlag(p.rest, '-r', '--requirement')) return true;
    const pos = positionals(p.rest, PIP_OPTS_WITH_VALUE);
    if (
      pos.some(
        (w) => w.value === '.' || w.value.startsWith('./') || w.value.startsWith('/app') || w.value === '-e',
      )
    )
      return true;
    if (pos.some((w) => /^\.?\[/.test(w.value) || w.value.startsWith('.['))) return true;
  }
  if (toolCalls(inst, 'poetry', ['install', 'sync']).length > 0) return true;
  if (toolCalls(inst, 'uv', ['sync']).length > 0) return true;
  for (const c of toolCalls(inst, 'uv', ['pip'])) if (c.rest[0]?.value === 'sync') return true;
  if (toolCalls(inst, 'pipenv', ['install', 'sync']).length > 0) return true;
  if (toolCalls(inst, 'pdm', ['install', 'sync']).length > 0) return true;
  for (const { argv } of commandsOf(inst)) if (baseName(argv[0]) === 'pip-sync') return true;
  return false;
}
