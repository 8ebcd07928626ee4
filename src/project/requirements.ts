/**
 * requirements.txt reader with pip's semantics (pip/_internal/req/req_file.py and constructors.py,
 * read for behaviour): `\` continuations, ` #` comments, `${VAR}` expansion, option lines parsed like
 * optparse over shlex tokens, `-r`/`-c` includes relative to the including file, editables, URLs,
 * local archives and directories, `name @ url ; marker`, and per-requirement options.
 */

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { InputError } from '../plan.js';
import { ShellSyntaxError, shellWords } from '../util/shell-words.js';
import { parseMarker, parseRequirement, type Requirement, RequirementSyntaxError } from './pep508.js';

export interface RequirementEntry {
  /** The logical line as pip sees it (continuations joined, comment removed, variables expanded). */
  raw: string;
  /** Named requirement; for URL/path entries the name from `#egg=`, the wheel file name, or `name @`. */
  requirement?: Requirement;
  /** Link for URL and VCS entries (and `name @ url`). */
  url?: string;
  /** Local path for path entries (as written, relative to the current directory of pip). */
  path?: string;
  /** Extras on an unnamed path or URL entry (`-e .[dev]`), normalized. */
  extras?: string[];
  editable: boolean;
  hashes: string[];
  /** Per-requirement options (`config-settings`, `global-option`, ...), by long name without dashes. */
  options: Record<string, string[]>;
  source: { file: string; line: number; column: number };
}

export interface RequirementsOptions {
  indexUrl?: string;
  extraIndexUrls: string[];
  findLinks: string[];
  trustedHosts: string[];
  onlyBinary: string[];
  noBinary: string[];
  pre: boolean;
  requireHashes: boolean;
  /** `--no-index`. */
  noIndex: boolean;
  preferBinary: boolean;
}

export interface RequirementsFile {
  /** Relative to root. */
  file: string;
  /** From this file and its -r includes, in order. */
  entries: RequirementEntry[];
  /** From -c files (and files they include). */
  constraints: RequirementEntry[];
  /** Every file read (relative, `/`-separated), the first being `file`. */
  files: string[];
  options: RequirementsOptions;
  /** pip-compile / uv pip compile / `poetry export` / `uv export` / `pdm export` header, if any. */
  generatedBy?: 'pip-compile' | 'uv' | 'poetry' | 'pdm' | 'pipenv' | string;
}

export interface RequirementsInclude {
  kind: 'r' | 'c';
  /** As written (variables expanded). */
  path: string;
  line: number;
  column: number;
}

/** Global options as they appear in one file, in order (so that `-i` later in a file wins, as in pip). */
export interface ParsedOptionLine {
  line: number;
  column: number;
  name: string;
  value?: string;
}

export interface ParsedRequirementsText {
  entries: RequirementEntry[];
  includes: RequirementsInclude[];
  options: RequirementsOptions;
  /** Option lines in order. */
  optionLines: ParsedOptionLine[];
  generatedBy?: string;
}

export function emptyOptions(): RequirementsOptions {
  return {
    extraIndexUrls: [],
    findLinks: [],
    trustedHosts: [],
    onlyBinary: [],
    noBinary: [],
    pre: false,
    requireHashes: false,
    noIndex: false,
    preferBinary: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Options, as pip's optparse parser declares them.

interface OptionSpec {
  long: string;
  short?: string;
  takesValue: boolean;
  /** Per-requirement option (allowed after a requirement on the same line). */
  perRequirement?: boolean;
}

const OPTIONS: OptionSpec[] = [
  { long: 'index-url', short: 'i', takesValue: true },
  { long: 'extra-index-url', takesValue: true },
  { long: 'no-index', takesValue: false },
  { long: 'constraint', short: 'c', takesValue: true },
  { long: 'requirement', short: 'r', takesValue: true },
  { long: 'editable', short: 'e', takesValue: true },
  { long: 'find-links', short: 'f', takesValue: true },
  { long: 'no-binary', takesValue: true },
  { long: 'only-binary', takesValue: true },
  { long: 'prefer-binary', takesValue: false },
  { long: 'require-hashes', takesValue: false },
  { long: 'pre', takesValue: false },
  { long: 'trusted-host', takesValue: true },
  { long: 'use-feature', takesValue: true },
  { long: 'global-option', takesValue: true, perRequirement: true },
  { long: 'config-settings', short: 'C', takesValue: true, perRequirement: true },
  { long: 'hash', takesValue: true, perRequirement: true },
  // Removed in pip 23.1; still found in older files, and older pips accepted it.
  { long: 'install-option', takesValue: true, perRequirement: true },
];

class LineError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * `shlex.split` (src/util/shell-words.ts), keeping the offset where each token starts; errors are
 * pip's (shlex's) words at the offset they are about.
 */
function shlexSplit(s: string, base: number): { token: string; offset: number }[] {
  try {
    return shellWords(s).map((w) => ({ token: w.value, offset: base + w.start }));
  } catch (err) {
    if (!(err instanceof ShellSyntaxError)) throw err;
    const msg = err.message.startsWith('unterminated') ? 'No closing quotation' : 'No escaped character';
    throw new LineError(msg, base + err.offset);
  }
}

interface ParsedOption {
  spec: OptionSpec;
  value?: string;
  offset: number;
}

/** optparse over shlex tokens: long options by unique prefix, `--x=v`, `--x v`, `-xv`, `-x v`. */
function parseOptions(s: string, base: number): ParsedOption[] {
  const tokens = shlexSplit(s, base);
  const out: ParsedOption[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const { token, offset } = tokens[i] as { token: string; offset: number };
    if (token === '--') break; // optparse: the rest are positional, which pip ignores
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq >= 0 ? token.slice(2, eq) : token.slice(2);
      const exact = OPTIONS.find((o) => o.long === name);
      const matches = exact ? [exact] : OPTIONS.filter((o) => o.long.startsWith(name));
      if (matches.length === 0) throw new LineError(`no such option: --${name}`, offset);
      if (matches.length > 1) {
        throw new LineError(
          `ambiguous option: --${name} (${matches.map((m) => `--${m.long}`).join(', ')}?)`,
          offset,
        );
      }
      const spec = matches[0] as OptionSpec;
      if (spec.takesValue) {
        let value: string;
        if (eq >= 0) value = token.slice(eq + 1);
        else {
          const next = tokens[++i];
          if (!next) throw new LineError(`--${spec.long} option requires 1 argument`, offset);
          value = next.token;
        }
        out.push({ spec, value, offset });
      } else {
        if (eq >= 0) throw new LineError(`--${spec.long} option does not take a value`, offset);
        out.push({ spec, offset });
      }
    } else if (token.startsWith('-') && token.length > 1) {
      // A cluster of short options: flags then at most one option taking a value.
      let j = 1;
      while (j < token.length) {
        const ch = token[j] as string;
        const spec = OPTIONS.find((o) => o.short === ch);
        if (!spec) throw new LineError(`no such option: -${ch}`, offset);
        if (spec.takesValue) {
          let value = token.slice(j + 1);
          if (value === '') {
            const next = tokens[++i];
            if (!next) throw new LineError(`-${ch} option requires 1 argument`, offset);
            value = next.token;
          }
          out.push({ spec, value, offset });
          break;
        }
        out.push({ spec, offset });
        j++;
      }
    }
    // Other positional tokens: optparse returns them and pip ignores them.
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lines.

interface Segment {
  /** Offset in the logical line where this physical line's text starts. */
  at: number;
  line: number;
  /** 0-based column in the physical line of the text at `at`. */
  col: number;
}

interface LogicalLine {
  text: string;
  line: number;
  segments: Segment[];
}

// str.splitlines() boundaries.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
const COMMENT_AT_START = /^(?:\s+)?#/;
/** pip's COMMENT_RE `(^|\s+)#.*$`: a `#` at the start or after whitespace starts a comment. Linear. */
function stripComment(text: string): string {
  for (let i = text.indexOf('#'); i >= 0; i = text.indexOf('#', i + 1)) {
    if (i === 0 || /\s/.test(text[i - 1] as string)) return text.slice(0, i);
  }
  return text;
}
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;

/** pip's join_lines: a trailing `\` joins the next line; a comment line ends a continuation. */
function joinLines(text: string): LogicalLine[] {
  const physical = text.split(LINE_BREAK);
  // splitlines() does not produce a last empty line for a trailing newline.
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const out: LogicalLine[] = [];
  let pending: { parts: string[]; line: number; segments: Segment[]; length: number } | null = null;
  physical.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const isComment = COMMENT_AT_START.test(raw);
    if (!raw.endsWith('\\') || isComment) {
      const line = isComment ? ` ${raw}` : raw;
      const col = isComment ? -1 : 0;
      if (pending) {
        pending.segments.push({ at: pending.length, line: lineNo, col });
        pending.parts.push(line);
        out.push({ text: pending.parts.join(''), line: pending.line, segments: pending.segments });
        pending = null;
      } else {
        out.push({ text: line, line: lineNo, segments: [{ at: 0, line: lineNo, col }] });
      }
      return;
    }
    // Python's line.strip('\\'): backslashes go from both ends.
    const lead = /^\\*/.exec(raw)?.[0].length ?? 0;
    const stripped = raw.replace(/^\\+|\\+$/g, '');
    if (!pending) pending = { parts: [], line: lineNo, segments: [], length: 0 };
    pending.segments.push({ at: pending.length, line: lineNo, col: lead });
    pending.parts.push(stripped);
    pending.length += stripped.length;
  });
  const last = pending as { parts: string[]; line: number; segments: Segment[] } | null;
  if (last) out.push({ text: last.parts.join(''), line: last.line, segments: last.segments });
  return out;
}

function locate(l: LogicalLine, offset: number): { line: number; column: number } {
  let seg = l.segments[0] as Segment;
  for (const s of l.segments) if (s.at <= offset) seg = s;
  return { line: seg.line, column: Math.max(0, seg.col + (offset - seg.at)) + 1 };
}

const VCS = ['git', 'hg', 'svn', 'bzr'];
// The schemes pip's VCS backends register (vcs.all_schemes).
const VCS_SCHEMES = [
  ...['http', 'https', 'ssh', 'git', 'file'].map((s) => `git+${s}`),
  ...['http', 'https', 'ssh', 'static-http', 'file'].map((s) => `hg+${s}`),
  ...['ssh', 'http', 'https', 'svn', 'file'].map((s) => `svn+${s}`),
  ...['http', 'https', 'ssh', 'sftp', 'ftp', 'lp', 'file'].map((s) => `bzr+${s}`),
];
const URL_SCHEMES = new Set(['http', 'https', 'file', 'ftp', ...VCS_SCHEMES]);

function isUrl(name: string): boolean {
  const colon = name.indexOf(':');
  if (colon < 0) return false;
  return URL_SCHEMES.has(name.slice(0, colon).toLowerCase());
}

function isVcsUrl(url: string): boolean {
  // pip's Link.is_vcs.
  return VCS_SCHEMES.includes(url.slice(0, url.indexOf(':')).toLowerCase());
}

const ARCHIVE = /\.(?:whl|tar\.gz|tgz|tar|zip|tar\.bz2|tbz|tar\.xz|txz|tlz|tar\.lz|tar\.lzma)$/i;

function looksLikePath(name: string): boolean {
  return name.includes('/') || name.startsWith('.');
}

/** pip's Link.egg_fragment: `[#&]egg=` anywhere in the URL. */
function eggFragment(url: string): string | undefined {
  const m = /[#&]egg=([^&]*)/.exec(url);
  return m?.[1] || undefined;
}

/** Name and version from a wheel file name (`name-version(-build)?-py-abi-plat.whl`). */
export function parseWheelFilename(filename: string): { name: string; version: string } | null {
  const base = filename.split('/').pop() ?? filename;
  // pip's wheel_file_re.
  const m = /^([^\s-]+?)-([^\s-]*?)(?:-\d[^-]*?)?-[^\s-]+?-[^\s-]+?-[^\s-]+?\.whl$/.exec(base);
  if (!m) return null;
  return { name: (m[1] as string).replace(/_/g, '-'), version: (m[2] as string).replace(/_/g, '-') };
}

function basenameOfUrl(url: string): string {
  const noFrag = url.split('#')[0] ?? url;
  const noQuery = noFrag.split('?')[0] ?? noFrag;
  return decodeURIComponent(noQuery.split('/').pop() ?? '');
}

function stripExtras(p: string): { path: string; extras?: string } {
  const m = /^(.+)(\[[^\]]+\])$/s.exec(p);
  return m ? { path: m[1] as string, extras: m[2] as string } : { path: p };
}

function parseExtrasText(extras: string, offset: number): string[] {
  try {
    return parseRequirement(`placeholder${extras.toLowerCase()}`).extras;
  } catch {
    throw new LineError(`invalid extras ${extras}`, offset);
  }
}

function requirementOrLineError(text: string, offset: number, hint?: string): Requirement {
  try {
    return parseRequirement(text);
  } catch (e) {
    if (e instanceof RequirementSyntaxError) {
      const msg = e.message.replace(/ at offset \d+: .*$/s, '');
      throw new LineError(
        `invalid requirement ${JSON.stringify(text)}: ${msg}${hint ? ` (${hint})` : ''}`,
        offset + e.offset,
      );
    }
    throw e;
  }
}

/** Turn the argument part of a requirement line into an entry (pip's parse_req_from_line). */
function requirementFromArgs(
  args: string,
  argsOffset: number,
): Pick<RequirementEntry, 'requirement' | 'url' | 'path' | 'extras'> {
  const url = isUrl(args);
  // pip splits the marker off first: at `; ` for URLs (which may contain `;`), else at `;`.
  const sep = url ? '; ' : ';';
  const cut = args.indexOf(sep);
  const rawName = cut >= 0 ? args.slice(0, cut) : args;
  const markerRaw = cut >= 0 ? args.slice(cut + sep.length) : '';
  const markerText = markerRaw.trim();
  const markerOffset = argsOffset + cut + sep.length + (markerRaw.length - markerRaw.trimStart().length);
  const name = rawName.trim();
  const nameOffset = argsOffset + (rawName.length - rawName.trimStart().length);

  let marker: Requirement['marker'];
  if (markerText) {
    try {
      marker = parseMarker(markerText);
    } catch (e) {
      if (e instanceof RequirementSyntaxError) {
        const msg = e.message.replace(/ at offset \d+: .*$/s, '');
        throw new LineError(`invalid marker ${JSON.stringify(markerText)}: ${msg}`, markerOffset + e.offset);
      }
      throw e;
    }
  }
  const withMarker = (req: Requirement | undefined): Requirement | undefined =>
    req && marker ? { ...req, marker, markerText } : req;

  if (url) {
    const base = basenameOfUrl(name);
    let req: Requirement | undefined;
    if (/\.whl$/i.test(base)) {
      const w = parseWheelFilename(base);
      if (!w) throw new LineError(`${base} is not a valid wheel filename`, nameOffset);
      req = requirementOrLineError(`${w.name}==${w.version}`, nameOffset);
    } else {
      const egg = eggFragment(name);
      if (egg) req = requirementOrLineError(egg, nameOffset, 'from #egg=');
    }
    return { url: name, requirement: withMarker(req) };
  }
  const { path: p, extras } = stripExtras(name);
  // pip decides by looking at the disk (an existing directory, or an archive name); without it, a
  // path is something path-like made of characters paths have, not a specifier like `x>=/1`.
  if ((looksLikePath(name) && /^[\w.~/+@%:-]+$/.test(p)) || ARCHIVE.test(p)) {
    const at = name.indexOf('@');
    // `name @ https://.../x.whl` is a PEP 508 URL requirement, not a file name.
    const isPep508Url = at >= 0 && !looksLikePath(name.slice(0, at));
    if (!isPep508Url) {
      let req: Requirement | undefined;
      if (/\.whl$/i.test(p)) {
        const w = parseWheelFilename(p);
        if (!w) throw new LineError(`${path.basename(p)} is not a valid wheel filename`, nameOffset);
        req = requirementOrLineError(`${w.name}==${w.version}`, nameOffset);
      }
      const out: Pick<RequirementEntry, 'requirement' | 'url' | 'path' | 'extras'> = {
        path: p,
        requirement: withMarker(req),
      };
      if (extras) {
        out.extras = parseExtrasText(extras, nameOffset + p.length);
        if (out.requirement) out.requirement = { ...out.requirement, extras: out.extras };
      }
      return out;
    }
  }
  const hint = name.includes('/')
    ? 'it looks like a path'
    : name.includes('=') && !/[<>=!~]=|[<>]/.test(name)
      ? '= is not a valid operator, did you mean ==?'
      : undefined;
  const req = withMarker(requirementOrLineError(name, nameOffset, hint)) as Requirement;
  return req.url ? { requirement: req, url: req.url } : { requirement: req };
}

function parseEditable(
  value: string,
  offset: number,
): Pick<RequirementEntry, 'requirement' | 'url' | 'path' | 'extras'> {
  const { path: noExtras, extras } = stripExtras(value);
  const out: Pick<RequirementEntry, 'requirement' | 'url' | 'path' | 'extras'> = {};
  if (noExtras.toLowerCase().startsWith('file:')) {
    out.url = noExtras;
  } else if (isUrl(value) || VCS.some((v) => value.toLowerCase().startsWith(`${v}:`))) {
    let url = value;
    for (const v of VCS) if (url.toLowerCase().startsWith(`${v}:`)) url = `${v}+${url}`;
    if (!isVcsUrl(url)) {
      throw new LineError(
        `${value} is not a valid editable requirement: it should be a path to a local project or a VCS URL (git+, hg+, svn+, bzr+)`,
        offset,
      );
    }
    out.url = url;
  } else if (/^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@/.test(value)) {
    // `-e name @ git+https://...` (accepted by recent pip).
    const req = requirementOrLineError(value, offset);
    out.requirement = req;
    if (req.url) out.url = req.url;
    return out;
  } else if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(value)) {
    // Some other scheme (`gt+https://`, `ftp:`): pip accepts only VCS URLs and local paths here.
    throw new LineError(
      `${value} is not a valid editable requirement: it should be a path to a local project or a VCS URL (git+, hg+, svn+, bzr+)`,
      offset,
    );
  } else if (!/^[\w.~/@%-]+$/.test(noExtras)) {
    // pip takes a non-URL only when it is an existing directory; this is no directory name.
    throw new LineError(
      `${value} is not a valid editable requirement: it should be a path to a local project or a VCS URL (git+, hg+, svn+, bzr+)`,
      offset,
    );
  } else {
    out.path = noExtras;
  }
  const egg = out.url ? eggFragment(out.url) : undefined;
  if (egg) out.requirement = requirementOrLineError(egg, offset, 'from #egg=');
  else if (out.url && !out.url.toLowerCase().startsWith('file:')) {
    throw new LineError(
      `could not detect the requirement name for ${JSON.stringify(value)}: add #egg=<name> or write "<name> @ <url>"`,
      offset,
    );
  }
  if (extras && !out.url?.includes('://')) out.extras = parseExtrasText(extras, offset + noExtras.length);
  if (extras && out.path !== undefined) out.extras = parseExtrasText(extras, offset + noExtras.length);
  if (out.requirement && out.extras) out.requirement = { ...out.requirement, extras: out.extras };
  return out;
}

const STRONG_HASHES = ['sha256', 'sha384', 'sha512'];

/** pip's --hash check: `algorithm:digest`, with a strong algorithm. */
function checkHash(value: string, offset: number): string {
  const colon = value.indexOf(':');
  if (colon < 0) {
    throw new LineError(
      'arguments to --hash must be a hash name followed by a value, like --hash=sha256:abcde...',
      offset,
    );
  }
  const algo = value.slice(0, colon);
  if (!STRONG_HASHES.includes(algo)) {
    throw new LineError(
      `allowed hash algorithms for --hash are ${STRONG_HASHES.join(', ')} (got ${algo})`,
      offset,
    );
  }
  return value;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function applyGlobal(opts: RequirementsOptions, o: ParsedOption): void {
  const v = o.value ?? '';
  switch (o.spec.long) {
    case 'index-url':
      opts.indexUrl = v;
      break;
    case 'extra-index-url':
      opts.extraIndexUrls.push(v);
      break;
    case 'no-index':
      opts.noIndex = true;
      break;
    case 'find-links':
      opts.findLinks.push(v);
      break;
    case 'trusted-host':
      opts.trustedHosts.push(v);
      break;
    case 'only-binary':
      opts.onlyBinary.push(...splitList(v));
      break;
    case 'no-binary':
      opts.noBinary.push(...splitList(v));
      break;
    case 'pre':
      opts.pre = true;
      break;
    case 'require-hashes':
      opts.requireHashes = true;
      break;
    case 'prefer-binary':
      opts.preferBinary = true;
      break;
  }
}

/** Detect the tool that generated a requirements file from its header comments (and shape). */
export function detectGenerator(text: string, entries: RequirementEntry[]): string | undefined {
  const head = text.slice(0, 4000).split(LINE_BREAK).slice(0, 15).join('\n');
  if (/^#.*autogenerated by uv\b/im.test(head) || /^#\s+uv (?:pip compile|export)\b/m.test(head)) return 'uv';
  if (/^#.*autogenerated by pip-compile\b/im.test(head) || /^#\s+pip-compile\b/m.test(head))
    return 'pip-compile';
  if (/^#.*@generated by PDM\b/im.test(head) || /^#.*\bpdm export\b/m.test(head)) return 'pdm';
  if (/^#.*\bpoetry export\b/im.test(head)) return 'poetry';
  if (/^#.*\bpipenv\b/im.test(head)) return 'pipenv';
  const reqs = entries.filter((e) => e.requirement && !e.editable && !e.url && e.path === undefined);
  if (reqs.length === 0 || reqs.length !== entries.length) return undefined;
  const pinned = reqs.every((e) => /^==[^,]+$/.test(e.requirement?.specifier ?? ''));
  if (!pinned) return undefined;
  // `poetry export`: `name==1.0 ; python_version >= "3.8"` (space before `;`, double quotes).
  if (reqs.every((e) => / ; \S/.test(e.raw) && e.raw.includes('"'))) return 'poetry';
  // `pipenv requirements`: starts with `-i <index>`, markers as `name==1.0; python_version >= '3.8'`.
  if (/^-i \S+/.test(text) && reqs.some((e) => /[^ ]; \S/.test(e.raw) && e.raw.includes("'")))
    return 'pipenv';
  return undefined;
}

/**
 * Parse the text of one requirements file (no includes followed). `file` names it in errors.
 * `env` expands `${NAME}` (pip reads the process environment; unset names are left as written).
 */
export function parseRequirementsText(
  text: string,
  file: string,
  env: Record<string, string | undefined> = {},
): ParsedRequirementsText {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const entries: RequirementEntry[] = [];
  const includes: RequirementsInclude[] = [];
  const options = emptyOptions();
  const optionLines: ParsedOptionLine[] = [];

  for (const logical of joinLines(body)) {
    let lineText = stripComment(logical.text);
    // Expand variables; offsets of later errors then refer to the expanded text, close enough.
    lineText = lineText.replace(ENV_VAR, (m, name: string) => {
      const v = env[name];
      return v ? v : m;
    });
    const trimmedStart = lineText.length - lineText.trimStart().length;
    const line = lineText.trim();
    if (!line) continue;
    const fail = (e: unknown): never => {
      if (e instanceof LineError) {
        const at = locate(logical, e.offset);
        throw new InputError(e.message, file, at.line, at.column);
      }
      throw e;
    };
    try {
      // pip's break_args_options: words up to the first one starting with `-` are the requirement.
      const tokens = line.split(' ');
      const args: string[] = [];
      let k = 0;
      for (; k < tokens.length; k++) {
        if ((tokens[k] as string).startsWith('-')) break;
        args.push(tokens[k] as string);
      }
      const argsStr = args.join(' ');
      const optStr = tokens.slice(k).join(' ');
      const optBase = trimmedStart + (k === 0 ? 0 : argsStr.length + 1);
      const parsed = parseOptions(optStr, optBase);
      const pos = locate(logical, trimmedStart);
      const source = { file, line: pos.line, column: pos.column };

      const perReq = (): { hashes: string[]; options: Record<string, string[]> } => {
        const hashes: string[] = [];
        const reqOptions: Record<string, string[]> = {};
        for (const o of parsed) {
          if (o.spec.long === 'hash') hashes.push(checkHash(o.value ?? '', o.offset));
          else if (o.spec.perRequirement) {
            // Global options on a requirement line are ignored by pip, and here.
            const list = reqOptions[o.spec.long] ?? [];
            if (o.value !== undefined) list.push(o.value);
            reqOptions[o.spec.long] = list;
          }
        }
        return { hashes, options: reqOptions };
      };

      if (argsStr) {
        const r = requirementFromArgs(argsStr, trimmedStart);
        entries.push({ raw: line, ...r, editable: false, ...perReq(), source });
        continue;
      }
      const editable = parsed.find((o) => o.spec.long === 'editable');
      if (editable) {
        const r = parseEditable(editable.value ?? '', editable.offset);
        // pip ignores per-requirement options (hashes included) on editable lines.
        entries.push({ raw: line, ...r, editable: true, hashes: [], options: {}, source });
        continue;
      }
      const include = parsed.find((o) => o.spec.long === 'requirement' || o.spec.long === 'constraint');
      if (include) {
        const at = locate(logical, include.offset);
        includes.push({
          kind: include.spec.long === 'requirement' ? 'r' : 'c',
          path: include.value ?? '',
          line: at.line,
          column: at.column,
        });
        continue;
      }
      for (const o of parsed) {
        // A per-requirement option on a line of its own (a `\` forgotten before `--hash`): pip ignores
        // it silently; it is kept in optionLines so that lint can point at it.
        applyGlobal(options, o);
        const at = locate(logical, o.offset);
        optionLines.push({ line: at.line, column: at.column, name: o.spec.long, value: o.value });
      }
    } catch (e) {
      fail(e);
    }
  }
  const generatedBy = detectGenerator(body, entries);
  return { entries, includes, options, optionLines, generatedBy };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Read `file` (relative to `root`) and everything it includes with `-r`/`-c`, like pip.
 * Throws InputError for a missing file or include, an include loop, or a line pip would reject.
 */
export async function readRequirements(
  root: string,
  file: string,
  opts: { env?: Record<string, string | undefined> } = {},
): Promise<RequirementsFile> {
  const env = opts.env ?? {};
  const rootAbs = path.resolve(root);
  const first = toPosix(path.relative(rootAbs, path.resolve(rootAbs, file)));
  const result: RequirementsFile = {
    file: first,
    entries: [],
    constraints: [],
    files: [],
    options: emptyOptions(),
  };

  const visit = async (
    rel: string,
    constraint: boolean,
    stack: string[],
    from?: { file: string; line: number; column: number },
  ): Promise<void> => {
    const abs = path.resolve(rootAbs, rel);
    let text: string;
    try {
      text = await fsp.readFile(abs, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
      if (from)
        throw new InputError(`requirements include ${rel}: ${why}`, from.file, from.line, from.column);
      throw new InputError(`cannot read requirements file: ${why}`, rel);
    }
    if (!result.files.includes(rel)) result.files.push(rel);
    const parsed = parseRequirementsText(text, rel, env);
    if (rel === first && !constraint) result.generatedBy = parsed.generatedBy;
    for (const o of parsed.optionLines) {
      const spec = OPTIONS.find((x) => x.long === o.name) as OptionSpec;
      applyGlobal(result.options, { spec, value: o.value, offset: 0 });
    }

    // Entries and includes interleaved by line, so the order is pip's.
    const target = constraint ? result.constraints : result.entries;
    let ei = 0;
    for (const inc of parsed.includes) {
      while (ei < parsed.entries.length && (parsed.entries[ei] as RequirementEntry).source.line < inc.line) {
        target.push(parsed.entries[ei++] as RequirementEntry);
      }
      if (isUrl(inc.path)) {
        throw new InputError(
          `remote requirements includes are not supported: ${inc.path}`,
          rel,
          inc.line,
          inc.column,
        );
      }
      const childAbs = path.resolve(path.dirname(abs), inc.path);
      const child = toPosix(path.relative(rootAbs, childAbs));
      if (stack.includes(child)) {
        const loop = [...stack.slice(stack.indexOf(child)), child].join(' -> ');
        throw new InputError(`requirements include loop: ${loop}`, rel, inc.line, inc.column);
      }
      // As pip: `-r` inside a constraints file reads requirements, `-c` anywhere reads constraints.
      await visit(child, inc.kind === 'c', [...stack, child], {
        file: rel,
        line: inc.line,
        column: inc.column,
      });
    }
    while (ei < parsed.entries.length) target.push(parsed.entries[ei++] as RequirementEntry);
  };

  await visit(first, false, [first]);
  return result;
}
