/**
 * The model the rules work on, built once per file on top of dockerfile-ast: stages (aliases,
 * `FROM stage` inheritance, final stage, which stages reach the final image), ARG/ENV
 * substitution as seen by each instruction, flags and `--mount` options, heredocs cut out of the
 * arguments, and RUN / CMD / ENTRYPOINT / HEALTHCHECK shell commands tokenized with offsets.
 *
 * Every position is an offset into the text (UTF-16 code units, BOM excluded).
 */
import {
  type Dockerfile,
  DockerfileParser,
  type Heredoc,
  type Instruction,
  type PropertyInstruction,
} from 'dockerfile-ast';
import { baseName, type Command, parseShell } from './shell.js';
import { LineIndex, type LspRange } from './text.js';

export type Vars = ReadonlyMap<string, string | null>;

export interface Token {
  value: string;
  start: number;
  end: number;
}

export interface Flag extends Token {
  name: string;
  /** null for a flag without `=value` (`--link`). */
  flagValue: string | null;
  options: Map<string, string | null>;
}

export interface Mount {
  type: string;
  target: string | null;
  from: string | null;
  options: Map<string, string | null>;
  start: number;
  end: number;
}

export interface ImageRef {
  /** As written in FROM (first argument). */
  raw: string;
  /** After substituting global ARG defaults. */
  resolved: string;
  /** A variable without a default remained. */
  unresolved: boolean;
  /** Repository without tag or digest, e.g. `python`, `ghcr.io/org/img`. */
  name: string;
  tag: string | null;
  digest: string | null;
  scratch: boolean;
  /** The earlier stage this FROM refers to, if any. */
  stage: Stage | null;
  start: number;
  end: number;
}

export interface Inst {
  keyword: string;
  ast: Instruction;
  index: number;
  /** null for ARGs before the first FROM. */
  stage: Stage | null;
  start: number;
  end: number;
  keywordEnd: number;
  /** Arguments without flags and without heredoc bodies. */
  args: Token[];
  flags: Flag[];
  /** Variables visible to this instruction (stage ARGs and ENV). */
  vars: Vars;
  /** ENV only (what a RUN sees in its environment, and the image keeps). */
  env: Vars;
  /** Effective USER before this instruction (null = the base image's default). */
  user: string | null;
  /** Effective WORKDIR before this instruction (null = the base image's default). */
  workdir: string | null;
  /** Effective SHELL before this instruction (null = default /bin/sh -c). */
  shell: string[] | null;
  /** Exec form arguments for RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD, when written in JSON. */
  exec: Token[] | null;
  /** Shell-form commands (RUN line, shell heredoc bodies, shell-form CMD/ENTRYPOINT/HEALTHCHECK). */
  commands: Command[];
  /** RUN --mount flags. */
  mounts: Mount[];
  /** ENV / ARG / LABEL properties (`name=value`), value unquoted; the range covers name and value. */
  props: { name: string; value: string | null; start: number; end: number }[];
  heredocs: { name: string; start: number; contentStart: number; contentEnd: number; shell: boolean }[];
}

export interface Stage {
  index: number;
  /** Alias (`AS name`), lowercased, or null. */
  name: string | null;
  from: Inst;
  image: ImageRef;
  /** The stage this one is built FROM, when it is a stage. */
  parent: Stage | null;
  instructions: Inst[];
  final: boolean;
  /** Reaches the final image: the final stage, or a stage it copies or mounts from (transitively). */
  used: boolean;
  /** State at the end of the stage (inherited by `FROM thisstage`). */
  env: Vars;
  user: string | null;
  userInst: Inst | null;
  workdir: string | null;
  shell: string[] | null;
}

export interface Model {
  text: string;
  lines: LineIndex;
  ast: Dockerfile;
  escape: string;
  globalArgs: Vars;
  instructions: Inst[];
  stages: Stage[];
  final: Stage | null;
  /** The final stage and the stages it is built FROM, final first. */
  finalChain: Stage[];
}

const EMPTY: Vars = new Map();

export function buildModel(text: string): Model {
  const ast = DockerfileParser.parse(text);
  const lines = new LineIndex(text);
  const escapeChar = ast.getEscapeCharacter();
  const off = (p: { line: number; character: number }): number => lines.offset(p.line, p.character);

  const instructions: Inst[] = [];
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string | null>();
  let stage: Stage | null = null;
  let vars: Map<string, string | null> = globalArgs;
  let env: Map<string, string | null> = new Map();
  let user: string | null = null;
  let userInst: Inst | null = null;
  let workdir: string | null = null;
  let shell: string[] | null = null;

  const closeStage = (): void => {
    if (!stage) return;
    stage.env = env;
    stage.user = user;
    stage.userInst = userInst;
    stage.workdir = workdir;
    stage.shell = shell;
  };

  const astInstructions = ast.getInstructions();
  for (let index = 0; index < astInstructions.length; index++) {
    const a = astInstructions[index]!;
    const keyword = a.getKeyword().toUpperCase();
    const range = a.getRange();
    const start = off(range.start);
    const end = off(range.end);
    const keywordEnd = off(a.getInstructionRange().end);
    // dockerfile-ast re-parses arguments on every getArguments()/getFlags() call; the words are
    // split here once, from the text, and dockerfile-ast is asked only for what is rare (heredocs,
    // properties, comments).
    const hasHeredoc =
      (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD') &&
      text.slice(keywordEnd, end).includes('<<');
    const heredocs = hasHeredoc ? getHeredocs(a) : [];
    const cuts = heredocs.map((h) => heredocCut(h, lines, end));
    let headEnd = end;
    if (heredocs.length > 0) {
      const lastStartLine = Math.max(...heredocs.map((h) => h.getStartRange().start.line));
      headEnd = Math.max(keywordEnd, Math.min(lines.lineEnd(lastStartLine), end));
    }
    const head = joinLines(text, keywordEnd, headEnd, escapeChar, []);
    const words = splitWords(head.src, head.map);
    const flags: Flag[] = [];
    let w = 0;
    if (FLAGGED.has(keyword)) {
      while (w < words.length && words[w]!.value.startsWith('--')) {
        flags.push(toFlag(words[w]!));
        w++;
      }
    }
    const args: Token[] = words.slice(w);
    const bodyStart = args[0]?.start ?? headEnd;
    const inst: Inst = {
      keyword,
      ast: a,
      index,
      stage,
      start,
      end,
      keywordEnd,
      args,
      flags,
      vars,
      env,
      user,
      workdir,
      shell,
      exec: null,
      commands: [],
      mounts: [],
      props: [],
      heredocs: [],
    };
    if (keyword === 'ENV' || keyword === 'ARG' || keyword === 'LABEL') {
      for (const p of (a as PropertyInstruction).getProperties()) {
        const nr = p.getNameRange();
        const vr = p.getValueRange();
        inst.props.push({
          name: p.getName(),
          value: p.getValue(),
          start: off(nr.start),
          end: off((vr ?? nr).end),
        });
      }
    }

    if (keyword === 'FROM') {
      closeStage();
      const image = resolveImage(inst, globalArgs, stages);
      const parent = image.stage;
      const name =
        inst.args[1]?.value.toUpperCase() === 'AS' ? (inst.args[2]?.value.toLowerCase() ?? null) : null;
      stage = {
        index: stages.length,
        name,
        from: inst,
        image,
        parent,
        instructions: [],
        final: false,
        used: false,
        env: EMPTY,
        user: null,
        userInst: null,
        workdir: null,
        shell: null,
      };
      inst.stage = stage;
      stages.push(stage);
      env = new Map(parent ? parent.env : EMPTY);
      vars = new Map(env);
      user = parent ? parent.user : null;
      userInst = parent ? parent.userInst : null;
      workdir = parent ? parent.workdir : null;
      shell = parent ? parent.shell : null;
      inst.vars = vars;
      inst.env = env;
      inst.user = user;
      inst.workdir = workdir;
      inst.shell = shell;
    }
    instructions.push(inst);
    if (stage && keyword !== 'FROM') stage.instructions.push(inst);
    else if (stage && keyword === 'FROM') stage.instructions.push(inst);

    switch (keyword) {
      case 'ARG': {
        const props = (a as PropertyInstruction).getProperties();
        if (props.length === 0) break;
        const next = new Map(vars);
        for (const p of props) {
          const pname = p.getName();
          const v = p.getValue();
          if (stage === null) next.set(pname, v === null ? null : expand(v, next).value);
          // Inside a stage, `ARG X` without a value takes the global default; ENV wins over ARG.
          else if (!env.has(pname))
            next.set(pname, v === null ? (globalArgs.get(pname) ?? null) : expand(v, next).value);
        }
        if (stage === null) {
          for (const [k, v] of next) globalArgs.set(k, v);
          vars = globalArgs;
        } else vars = next;
        break;
      }
      case 'ENV': {
        const props = (a as PropertyInstruction).getProperties();
        const nextEnv = new Map(env);
        const nextVars = new Map(vars);
        for (const p of props) {
          const v = p.getValue();
          // Values see the variables as they were before this ENV (Docker's semantics).
          const value = v === null ? '' : expand(v, vars).value;
          nextEnv.set(p.getName(), value);
          nextVars.set(p.getName(), value);
        }
        env = nextEnv;
        vars = nextVars;
        break;
      }
      case 'USER': {
        const v = args.map((t) => t.value).join(' ');
        user = expand(v, vars).value;
        userInst = inst;
        break;
      }
      case 'WORKDIR': {
        const v = expand(args.map((t) => t.value).join(' '), vars).value;
        if (v.startsWith('/')) workdir = v;
        else if (workdir) workdir = `${workdir.replace(/\/$/, '')}/${v}`;
        else workdir = v;
        break;
      }
      case 'SHELL': {
        const e = parseJsonArray(text, bodyStart, end);
        if (e) shell = e.map((t) => t.value);
        break;
      }
      case 'RUN':
        inst.mounts = mountsOf(flags);
        analyseRun(inst, heredocs, lines, escapeChar, bodyStart, headEnd, off);
        break;
      case 'CMD':
      case 'ENTRYPOINT': {
        const e = text[bodyStart] === '[' ? parseJsonArray(text, bodyStart, end) : null;
        if (e) inst.exec = e;
        else if (args.length > 0) {
          const j = joinLines(text, bodyStart, end, escapeChar, []);
          inst.commands = parseShell(j.src, j.map);
        }
        break;
      }
      case 'HEALTHCHECK': {
        const sub = args[0];
        if (sub && sub.value.toUpperCase() === 'CMD') {
          const from = sub.end;
          const rest = text.slice(from, end).trimStart();
          if (rest.startsWith('[')) {
            const e = parseJsonArray(text, from, end);
            if (e) inst.exec = e;
          } else {
            const j = joinLines(text, from, end, escapeChar, []);
            inst.commands = parseShell(j.src, j.map);
          }
        }
        break;
      }
      case 'COPY':
      case 'ADD':
        inst.heredocs = heredocs.map((h, k) => ({
          name: h.getName(),
          start: off(h.getStartRange().start),
          contentStart: cuts[k]!.from,
          contentEnd: cuts[k]!.to,
          shell: false,
        }));
        break;
    }
  }
  closeStage();

  const final = stages[stages.length - 1] ?? null;
  if (final) final.final = true;
  markUsed(stages, final);
  const finalChain: Stage[] = [];
  for (let s: Stage | null = final; s && !finalChain.includes(s); s = s.parent) finalChain.push(s);

  return { text, lines, ast, escape: escapeChar, globalArgs, instructions, stages, final, finalChain };
}

function getHeredocs(a: Instruction): Heredoc[] {
  try {
    return (a as unknown as { getHeredocs(): Heredoc[] }).getHeredocs();
  } catch {
    return [];
  }
}

/** The part of the text a heredoc body and its delimiter occupy. */
function heredocCut(h: Heredoc, lines: LineIndex, instEnd: number): { from: number; to: number } {
  const startLine = h.getStartRange().start.line;
  const from = lines.starts[startLine + 1] ?? instEnd;
  const content = h.getContentRange();
  const delim = h.getDelimiterRange();
  const to = delim
    ? lines.offset(delim.end.line, delim.end.character)
    : content
      ? lines.offset(content.end.line, content.end.character)
      : instEnd;
  return { from: Math.min(from, instEnd), to: Math.max(Math.min(to, instEnd), Math.min(from, instEnd)) };
}

function rangeOff(r: LspRange, lines: LineIndex): { start: number; end: number } {
  return {
    start: lines.offset(r.start.line, r.start.character),
    end: lines.offset(r.end.line, r.end.character),
  };
}

function mountsOf(flags: Flag[]): Mount[] {
  const out: Mount[] = [];
  for (const f of flags) {
    if (f.name !== 'mount') continue;
    const o = f.options;
    out.push({
      type: (o.get('type') ?? 'bind') || 'bind',
      target: o.get('target') ?? o.get('dst') ?? o.get('destination') ?? null,
      from: o.get('from') ?? null,
      options: o,
      start: f.start,
      end: f.end,
    });
  }
  return out;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);

/** Instructions whose leading `--name[=value]` words are flags. */
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

/** Split joined instruction text into whitespace-separated words, keeping Dockerfile offsets. */
function splitWords(src: string, map: (i: number) => number): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    while (i < n && (src[i] === ' ' || src[i] === '\t' || src[i] === '\n' || src[i] === '\r')) i++;
    if (i >= n) break;
    const s = i;
    let quote = '';
    while (i < n) {
      const c = src[i]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') break;
      i++;
    }
    const raw = src.slice(s, i);
    // A word that is one quoted string stands for its content (`WORKDIR "/app"`).
    const value =
      raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw[raw.length - 1] === raw[0]
        ? raw.slice(1, -1)
        : raw;
    out.push({ value, start: map(s), end: map(i - 1) + 1 });
  }
  return out;
}

function toFlag(w: Token): Flag {
  const body = w.value.slice(2);
  const eq = body.indexOf('=');
  const name = (eq < 0 ? body : body.slice(0, eq)).toLowerCase();
  const flagValue = eq < 0 ? null : body.slice(eq + 1);
  const options = new Map<string, string | null>();
  if (flagValue) {
    for (const part of flagValue.split(',')) {
      const k = part.indexOf('=');
      options.set(
        (k < 0 ? part : part.slice(0, k)).trim().toLowerCase(),
        k < 0 ? null : part.slice(k + 1).replace(/^["']|["']$/g, ''),
      );
    }
  }
  return { name, flagValue, value: flagValue ?? '', start: w.start, end: w.end, options };
}

function analyseRun(
  inst: Inst,
  heredocs: Heredoc[],
  lines: LineIndex,
  escapeChar: string,
  from: number,
  cmdEnd: number,
  off: (p: { line: number; character: number }) => number,
): void {
  const text = lines.text;
  if (text[from] === '[') {
    const e = parseJsonArray(text, from, inst.end);
    if (e) {
      inst.exec = e;
      return;
    }
  }
  if (from >= cmdEnd && heredocs.length === 0) return;
  const j = joinLines(text, from, Math.max(from, cmdEnd), escapeChar, []);
  const head = parseShell(j.src, j.map);
  const commands = head.slice();
  const realCommands = head.filter((c) => c.argv.length > 0);
  // Heredoc bodies are scripts when the line runs no program (BuildKit runs them with the shell)
  // or runs a shell reading from stdin.
  const first = realCommands[0];
  const lineIsShell =
    realCommands.length === 0 ||
    (realCommands.length === 1 &&
      first !== undefined &&
      SHELLS.has(baseName(first.argv[0])) &&
      !first.argv.some((w) => w.value === '-c' || (/^-[a-z]*c$/.test(w.value) && w.value.startsWith('-'))));
  for (const h of heredocs) {
    const content = h.getContentRange();
    const entry = {
      name: h.getName(),
      start: off(h.getStartRange().start),
      contentStart: content ? rangeOff(content, lines).start : off(h.getStartRange().end),
      contentEnd: content ? rangeOff(content, lines).end : off(h.getStartRange().end),
      shell: false,
    };
    const body = text.slice(entry.contentStart, entry.contentEnd);
    const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(body);
    const interp = shebang
      ? baseName({ value: shebang[1] === '/usr/bin/env' ? (shebang[2] ?? '') : shebang[1]! })
      : null;
    entry.shell = interp ? SHELLS.has(interp) : lineIsShell;
    if (entry.shell) {
      const base = entry.contentStart;
      const cmds = parseShell(body, (i) => base + i);
      if (cmds.length > 0) {
        cmds[0]!.before = '\n';
        commands.push(...cmds);
      }
    }
    inst.heredocs.push(entry);
  }
  inst.commands = commands;
}

/**
 * The text between two offsets as the shell receives it: line continuations (escape + newline)
 * removed, and comment or empty lines inside a continued instruction dropped, as BuildKit does.
 */
export function joinLines(
  text: string,
  from: number,
  to: number,
  escapeChar: string,
  cuts: { from: number; to: number }[],
): { src: string; map: (i: number) => number } {
  // Copy runs of text between continuations in slices; `segs` maps each run back to the file.
  const segSrc: number[] = [];
  const segDoc: number[] = [];
  let src = '';
  let i = from;
  let runStart = from;
  const flush = (end: number): void => {
    if (end > runStart) {
      segSrc.push(src.length);
      segDoc.push(runStart);
      src += text.slice(runStart, end);
    }
  };
  while (i < to) {
    const cut = cuts.length > 0 ? cuts.find((c) => i >= c.from && i < c.to) : undefined;
    if (cut) {
      flush(i);
      i = cut.to;
      runStart = i;
      continue;
    }
    const e = text.indexOf(escapeChar, i);
    if (e < 0 || e >= to) break;
    // escape, optional blanks, then a line break: a continuation.
    let j = e + 1;
    while (j < to && (text[j] === ' ' || text[j] === '\t')) j++;
    if (j < to && (text[j] === '\n' || text[j] === '\r')) {
      flush(e);
      j += text[j] === '\r' && text[j + 1] === '\n' ? 2 : 1;
      // Skip following comment lines and empty lines.
      for (;;) {
        let k = j;
        while (k < to && (text[k] === ' ' || text[k] === '\t')) k++;
        if (k < to && text[k] === '#') {
          while (k < to && text[k] !== '\n' && text[k] !== '\r') k++;
          if (text[k] === '\r' && text[k + 1] === '\n') k++;
          j = k + 1;
        } else if (k < to && (text[k] === '\n' || text[k] === '\r')) {
          if (text[k] === '\r' && text[k + 1] === '\n') k++;
          j = k + 1;
        } else break;
      }
      i = j;
      runStart = j;
      continue;
    }
    if (j >= to && j > e + 1) {
      // A trailing escape followed only by blanks ends the instruction.
      flush(e);
      i = to;
      runStart = to;
      break;
    }
    i = e + 1;
  }
  flush(Math.min(to, text.length));
  const n = segSrc.length;
  return {
    src,
    map: (k) => {
      if (k >= src.length) return to;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (segSrc[mid]! <= k) lo = mid;
        else hi = mid - 1;
      }
      return segDoc[lo]! + (k - segSrc[lo]!);
    },
  };
}

function parseJsonArray(text: string, from: number, to: number): Token[] | null {
  const raw = text.slice(from, to);
  const open = raw.indexOf('[');
  try {
    const v = JSON.parse(raw.slice(open).replace(/\\\r?\n/g, ''));
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return null;
    // Positions: find each string literal in order.
    const out: Token[] = [];
    let k = from + open;
    for (const s of v as string[]) {
      const q = text.indexOf('"', k);
      let e = q + 1;
      while (e < to && text[e] !== '"') e += text[e] === '\\' ? 2 : 1;
      out.push({ value: s, start: q, end: e + 1 });
      k = e + 1;
    }
    return out;
  } catch {
    return null;
  }
}

function resolveImage(inst: Inst, globalArgs: Vars, stages: Stage[]): ImageRef {
  const first = inst.args[0];
  const raw = first?.value ?? '';
  const { value: resolved, unresolved } = expand(raw, globalArgs);
  const at = resolved.indexOf('@');
  const digest = at >= 0 ? resolved.slice(at + 1) : null;
  const ref = at >= 0 ? resolved.slice(0, at) : resolved;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const tag = colon > slash ? ref.slice(colon + 1) : null;
  const name = colon > slash ? ref.slice(0, colon) : ref;
  const lower = resolved.toLowerCase();
  const stage = stages.find((s) => s.name !== null && s.name === lower) ?? null;
  return {
    raw,
    resolved,
    unresolved,
    name,
    tag,
    digest,
    scratch: lower === 'scratch',
    stage,
    start: first?.start ?? inst.start,
    end: first?.end ?? inst.end,
  };
}

/** Substitute `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`. */
export function expand(s: string, vars: Vars): { value: string; unresolved: boolean } {
  if (!s.includes('$')) return { value: s, unresolved: false };
  let unresolved = false;
  const value = s.replace(
    /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      m,
      braced: string | undefined,
      op: string | undefined,
      word: string | undefined,
      bare: string | undefined,
    ) => {
      if (m === '\\$') return '$';
      const name = (braced ?? bare)!;
      const v = vars.get(name);
      const set = v !== undefined && v !== null;
      if (op === ':-' || op === '-') {
        if (set && (op === '-' || v !== '')) return v;
        return expand(word ?? '', vars).value;
      }
      if (op === ':+' || op === '+') {
        return set && (op === '+' || v !== '') ? expand(word ?? '', vars).value : '';
      }
      if (!set) {
        unresolved = true;
        return m;
      }
      return v;
    },
  );
  return { value, unresolved };
}

function markUsed(stages: Stage[], final: Stage | null): void {
  if (!final) return;
  const byName = new Map<string, Stage>();
  for (const s of stages) if (s.name) byName.set(s.name, s);
  const lookup = (ref: string): Stage | null => {
    if (/^\d+$/.test(ref)) return stages[Number(ref)] ?? null;
    return byName.get(ref.toLowerCase()) ?? null;
  };
  const queue: Stage[] = [final];
  while (queue.length > 0) {
    const s = queue.pop()!;
    if (s.used) continue;
    s.used = true;
    if (s.parent) queue.push(s.parent);
    for (const i of s.instructions) {
      for (const f of i.flags) {
        if (f.name === 'from' && f.flagValue) {
          const t = lookup(f.flagValue);
          if (t) queue.push(t);
        }
      }
      for (const m of i.mounts) {
        if (m.from) {
          const t = lookup(m.from);
          if (t) queue.push(t);
        }
      }
    }
  }
}

/** The stage a `--from=` value names, or null for an external image. */
export function stageByRef(model: Model, ref: string): Stage | null {
  if (/^\d+$/.test(ref)) return model.stages[Number(ref)] ?? null;
  const lower = ref.toLowerCase();
  return model.stages.find((s) => s.name === lower) ?? null;
}

export function flag(inst: Inst, name: string): Flag | undefined {
  return inst.flags.find((f) => f.name === name);
}

/** The external image a stage is ultimately built from (following `FROM stage`). */
export function rootImage(stage: Stage): ImageRef {
  let s = stage;
  const seen = new Set<Stage>();
  while (s.parent && !seen.has(s)) {
    seen.add(s);
    s = s.parent;
  }
  return s.image;
}

/** Instructions of a stage and of the stages it is built FROM, in build order. */
export function chainInstructions(stage: Stage): Inst[] {
  const chain: Stage[] = [];
  for (let s: Stage | null = stage; s && !chain.includes(s); s = s.parent) chain.unshift(s);
  return chain.flatMap((s) => s.instructions);
}

/** The last path segment of an image name starts with `python` (python, library/python, cimg/python, distroless python3-debian12). */
export function isPythonImage(ref: ImageRef): boolean {
  const seg = ref.name.slice(ref.name.lastIndexOf('/') + 1).toLowerCase();
  return seg.startsWith('python');
}

export function isDistroless(ref: ImageRef): boolean {
  const n = ref.name.toLowerCase();
  return (
    (n.includes('distroless') || n.startsWith('cgr.dev/chainguard/')) && !(ref.tag ?? '').includes('debug')
  );
}
