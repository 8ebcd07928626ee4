/**
 * PEP 508 dependency specifiers: parser and marker evaluator.
 *
 * The grammar, token rules and evaluation semantics follow pypa `packaging` 26 (`_tokenizer.py`,
 * `_parser.py`, `markers.py`; dual Apache-2.0/BSD licensed), so that we accept and reject the same
 * strings pip does. pep508.test.ts checks this against `packaging` itself as a differential oracle.
 */
import { parseSpecifier, parseSpecifierSet, SPECIFIER_PATTERN, specifiersContain } from './pep440.js';
import { latestPatch } from './python-releases.js';

export type MarkerNode =
  | { kind: 'and' | 'or'; left: MarkerNode; right: MarkerNode }
  | { kind: 'compare'; left: MarkerValue; op: string; right: MarkerValue };
export type MarkerValue = { kind: 'variable'; name: string } | { kind: 'string'; value: string };

export interface Requirement {
  /** As written. */
  name: string;
  /** PEP 503. */
  normalizedName: string;
  /** Normalized (PEP 685), in order of appearance, without duplicates. */
  extras: string[];
  /** e.g. '>=1.0,<2' ('' when none). */
  specifier: string;
  /** `name @ url`. */
  url?: string;
  marker?: MarkerNode;
  /** The marker as written, trimmed. */
  markerText?: string;
}

export class RequirementSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based offset into the parsed text where the problem starts. */
    public readonly offset: number,
    /** The text that was parsed. */
    public readonly source: string = '',
  ) {
    super(message);
    this.name = 'RequirementSyntaxError';
  }
}

/** Raised by evaluateMarker for comparisons packaging calls undefined, or a missing variable. */
export class MarkerEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarkerEvaluationError';
  }
}

export type MarkerEnvironment = Record<string, string>;

// Python's `\b` is Unicode-aware: word characters are letters, digits and underscore of any script.
const W = String.raw`[\p{L}\p{N}_]`;
const B = `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;

const RULES = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /'[^']*'|"[^"]*"/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: new RegExp(`${B}(?:or|and)${B}`, 'uy'),
  IN: new RegExp(`${B}in${B}`, 'uy'),
  NOT: new RegExp(`${B}not${B}`, 'uy'),
  VARIABLE: new RegExp(
    `${B}(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)${B}`,
    'uy',
  ),
  SPECIFIER: new RegExp(`(?:${SPECIFIER_PATTERN})`, 'iy'),
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: new RegExp(`${B}[a-zA-Z0-9][a-zA-Z0-9._-]*${B}`, 'uy'),
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
};
type TokenName = keyof typeof RULES | 'END';

interface Token {
  name: TokenName;
  text: string;
  position: number;
}

class Tokenizer {
  position = 0;
  private next: Token | null = null;
  constructor(readonly source: string) {}

  check(name: TokenName, peek = false): boolean {
    if (name === 'END') {
      // Python's `$` also matches just before a final newline.
      const rest = this.source.length - this.position;
      const ok = rest === 0 || (rest === 1 && this.source[this.position] === '\n');
      if (ok && !peek) this.next = { name, text: '', position: this.position };
      return ok;
    }
    const re = RULES[name];
    re.lastIndex = this.position;
    const m = re.exec(this.source);
    if (!m) return false;
    if (!peek) this.next = { name, text: m[0], position: this.position };
    return true;
  }

  consume(name: TokenName): void {
    if (this.check(name)) this.read();
  }

  expect(name: TokenName, expected: string): Token {
    if (!this.check(name)) this.fail(`Expected ${expected}`);
    return this.read();
  }

  read(): Token {
    const t = this.next;
    if (!t) throw new Error('tokenizer: read() without a successful check()');
    this.position += t.text.length;
    this.next = null;
    return t;
  }

  fail(message: string, spanStart?: number): never {
    const at = spanStart ?? this.position;
    const shown = this.source.length > 200 ? `${this.source.slice(0, 200)}…` : this.source;
    throw new RequirementSyntaxError(`${message} at offset ${at}: ${shown}`, at, this.source);
  }

  enclosed<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    let openPos: number | null = null;
    if (this.check(open)) {
      openPos = this.position;
      this.read();
    }
    const result = body();
    if (openPos === null) return result;
    if (!this.check(close)) {
      this.fail(`Expected matching ${close} for ${open}, after ${around}`, openPos);
    }
    this.read();
    return result;
  }
}

/** PEP 503 normalization: lowercase, runs of `-_.` become `-`. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Parse a PEP 508 requirement like pip does (`packaging.requirements.Requirement`). */
export function parseRequirement(text: string): Requirement {
  const t = new Tokenizer(text);
  t.consume('WS');
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier').text;
  t.consume('WS');
  const extras = parseExtras(t);
  t.consume('WS');

  let url = '';
  let specifier = '';
  let marker: MarkerNode | undefined;
  let markerStart = -1;
  let markerEnd = -1;

  const parseMarkerPart = (spanStart: number, expected: string): void => {
    if (!t.check('SEMICOLON')) t.fail(`Expected ${expected} or end`, spanStart);
    t.read();
    markerStart = t.position;
    marker = parseMarkerExpr(t);
    markerEnd = t.position;
    t.consume('WS');
  };

  if (t.check('AT')) {
    t.read();
    t.consume('WS');
    const urlStart = t.position;
    url = t.expect('URL', 'URL after @').text;
    if (!t.check('END', true)) {
      t.expect('WS', 'whitespace after URL');
      if (!t.check('END', true)) parseMarkerPart(urlStart, 'semicolon (after URL and whitespace)');
    }
  } else {
    const specStart = t.position;
    specifier = parseSpecifierPart(t);
    t.consume('WS');
    if (!t.check('END', true)) {
      parseMarkerPart(
        specStart,
        specifier
          ? 'comma (within version specifier), semicolon (after version specifier)'
          : 'semicolon (after name with no version specifier)',
      );
    }
  }
  t.expect('END', 'end of dependency specifier');

  const clauses = parseSpecifierSet(specifier);
  if (!clauses) {
    // Only reachable through `===` swallowing a comma: packaging raises InvalidSpecifier here.
    throw new RequirementSyntaxError(`Invalid specifier: ${JSON.stringify(specifier)}: ${text}`, 0, text);
  }

  const req: Requirement = {
    name,
    normalizedName: normalizeName(name),
    extras,
    // Clauses as written, without the spaces around them: '>= 1.0 , <2' becomes '>=1.0,<2'.
    specifier: clauses.map((c) => `${c.operator}${c.version}`).join(','),
  };
  if (url) req.url = url;
  if (marker) {
    req.marker = marker;
    req.markerText = text.slice(markerStart, markerEnd).trim();
  }
  return req;
}

function parseExtras(t: Tokenizer): string[] {
  if (!t.check('LEFT_BRACKET', true)) return [];
  return t.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    t.consume('WS');
    const extras: string[] = [];
    if (t.check('IDENTIFIER')) {
      extras.push(t.read().text);
      for (;;) {
        t.consume('WS');
        if (t.check('IDENTIFIER', true)) t.fail('Expected comma between extra names');
        else if (!t.check('COMMA')) break;
        t.read();
        t.consume('WS');
        extras.push(t.expect('IDENTIFIER', 'extra name after comma').text);
      }
    }
    t.consume('WS');
    return [...new Set(extras.map(normalizeName))];
  });
}

function parseSpecifierPart(t: Tokenizer): string {
  return t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
    t.consume('WS');
    let out = '';
    while (t.check('SPECIFIER')) {
      const spanStart = t.position;
      out += t.read().text;
      if (t.check('VERSION_PREFIX_TRAIL', true)) {
        t.fail('.* suffix can only be used with `==` or `!=` operators', spanStart);
      }
      if (t.check('VERSION_LOCAL_LABEL_TRAIL', true)) {
        t.fail('Local version label can only be used with `==` or `!=` operators', spanStart);
      }
      t.consume('WS');
      if (!t.check('COMMA')) break;
      out += t.read().text;
      t.consume('WS');
    }
    t.consume('WS');
    return out;
  });
}

/** Parse a marker expression on its own (`packaging.markers.Marker`). */
export function parseMarker(text: string): MarkerNode {
  const t = new Tokenizer(text);
  const m = parseMarkerExpr(t);
  t.expect('END', 'end of marker expression');
  return m;
}

function parseMarkerExpr(t: Tokenizer, depth = 0): MarkerNode {
  // `and` binds tighter than `or`, both left-associative, as packaging evaluates them.
  const atoms: MarkerNode[] = [parseMarkerAtom(t, depth)];
  const ops: ('and' | 'or')[] = [];
  while (t.check('BOOLOP')) {
    ops.push(t.read().text as 'and' | 'or');
    atoms.push(parseMarkerAtom(t, depth));
  }
  // Group the `and` runs, then join them with `or`. Long chains become balanced trees, so that
  // evaluating a marker of thousands of clauses does not recurse thousands deep.
  const orParts: MarkerNode[] = [];
  let run: MarkerNode[] = [atoms[0] as MarkerNode];
  for (let i = 0; i < ops.length; i++) {
    const next = atoms[i + 1] as MarkerNode;
    if (ops[i] === 'and') run.push(next);
    else {
      orParts.push(balanced(run, 'and'));
      run = [next];
    }
  }
  orParts.push(balanced(run, 'and'));
  return balanced(orParts, 'or');
}

function balanced(nodes: MarkerNode[], kind: 'and' | 'or'): MarkerNode {
  if (nodes.length === 1) return nodes[0] as MarkerNode;
  const mid = Math.ceil(nodes.length / 2);
  return { kind, left: balanced(nodes.slice(0, mid), kind), right: balanced(nodes.slice(mid), kind) };
}

/** Deeper nesting than any real marker; keeps hostile input from overflowing the stack. */
const MAX_MARKER_DEPTH = 100;

function parseMarkerAtom(t: Tokenizer, depth: number): MarkerNode {
  t.consume('WS');
  let node: MarkerNode;
  if (t.check('LEFT_PARENTHESIS', true)) {
    if (depth >= MAX_MARKER_DEPTH) t.fail(`Marker nested deeper than ${MAX_MARKER_DEPTH} parentheses`);
    node = t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      t.consume('WS');
      const inner = parseMarkerExpr(t, depth + 1);
      t.consume('WS');
      return inner;
    });
  } else {
    t.consume('WS');
    const left = parseMarkerVar(t);
    t.consume('WS');
    const op = parseMarkerOp(t);
    t.consume('WS');
    const right = parseMarkerVar(t);
    t.consume('WS');
    node =
      depth === 0
        ? normalizeExtraComparison({ kind: 'compare', left, op, right })
        : { kind: 'compare', left, op, right };
  }
  t.consume('WS');
  return node;
}

/**
 * PEP 685: the other side of an `extra` comparison is normalized when parsing, and becomes a literal.
 * packaging (and so pip) does this only for comparisons outside parentheses; so do we, to agree with
 * what pip installs.
 */
function normalizeExtraComparison(node: Extract<MarkerNode, { kind: 'compare' }>): MarkerNode {
  const text = (v: MarkerValue) => (v.kind === 'variable' ? v.name : v.value);
  if (node.left.kind === 'variable' && node.left.name === 'extra') {
    return { ...node, right: { kind: 'string', value: normalizeName(text(node.right)) } };
  }
  if (node.right.kind === 'variable' && node.right.name === 'extra') {
    return { ...node, left: { kind: 'string', value: normalizeName(text(node.left)) } };
  }
  return node;
}

function parseMarkerVar(t: Tokenizer): MarkerValue {
  if (t.check('VARIABLE')) {
    const name = t.read().text.replace(/\./g, '_');
    return {
      kind: 'variable',
      name: name === 'python_implementation' ? 'platform_python_implementation' : name,
    };
  }
  if (t.check('QUOTED_STRING')) {
    const tok = t.read();
    return { kind: 'string', value: decodePythonString(tok.text, tok.position, t.source) };
  }
  return t.fail('Expected a marker variable or quoted string');
}

function parseMarkerOp(t: Tokenizer): string {
  if (t.check('IN')) {
    t.read();
    return 'in';
  }
  if (t.check('NOT')) {
    t.read();
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  if (t.check('OP')) return t.read().text;
  return t.fail('Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in');
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** The value of a quoted Python string literal, as `ast.literal_eval` gives it. */
function decodePythonString(quoted: string, position: number, source: string): string {
  const body = quoted.slice(1, -1);
  const bad = (why: string): never => {
    throw new RequirementSyntaxError(
      `Invalid string literal (${why}) at offset ${position}: ${source}`,
      position,
      source,
    );
  };
  if (/[\n\r\0]/.test(body)) bad('line break or NUL inside the string');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return bad('trailing backslash');
    i++;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
    } else if (/[0-7]/.test(e)) {
      let digits = e;
      while (digits.length < 3 && /[0-7]/.test(body[i + 1] ?? '')) digits += body[++i];
      out += String.fromCodePoint(Number.parseInt(digits, 8));
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) bad(`truncated \\${e} escape`);
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) bad('illegal Unicode character');
      out += String.fromCodePoint(cp);
      i += n;
    } else if (e === 'N') {
      bad('\\N{...} escapes are not supported');
    } else {
      // Python keeps unknown escapes as written (with a warning).
      out += `\\${e}`;
    }
  }
  return out;
}

const MARKERS_REQUIRING_VERSION = new Set([
  'implementation_version',
  'platform_release',
  'python_full_version',
  'python_version',
]);
const MARKERS_ALLOWING_SET = new Set(['extras', 'dependency_groups']);

type EnvValue = string | ReadonlySet<string>;

/**
 * Evaluate a marker like `packaging`'s `Marker.evaluate()`.
 *
 * `extras` are the extras requested for the requirement that carries the marker: the result is true
 * when the marker holds with `extra == ""` or with `extra` set to any of them (how pip evaluates a
 * dependency of a package installed with extras). The `extras` set variable (lock-file markers) is
 * the same list; `dependency_groups` is `groups`.
 */
export function evaluateMarker(
  marker: MarkerNode | string,
  env: MarkerEnvironment,
  extras: string[] = [],
  groups: string[] = [],
): boolean {
  const node = typeof marker === 'string' ? parseMarker(marker) : marker;
  const candidates = [env.extra ?? '', ...extras];
  return candidates.some((extra) =>
    evaluateMarkerExact(node, { ...env, extra, extras: [...extras], dependency_groups: [...groups] }),
  );
}

/**
 * One evaluation, exactly like `Marker.evaluate(env)`: `extras` and `dependency_groups` are lists
 * (sets in packaging), every other variable a string. Throws MarkerEvaluationError where packaging
 * raises (undefined comparison, missing variable).
 */
export function evaluateMarkerExact(
  marker: MarkerNode | string,
  env: Record<string, string | string[]>,
): boolean {
  const node = typeof marker === 'string' ? parseMarker(marker) : marker;
  const e: Record<string, EnvValue> = {};
  for (const [k, v] of Object.entries(env)) {
    e[k] = Array.isArray(v) ? new Set(v.map(normalizeName)) : v;
  }
  const extra = e.extra;
  if (typeof extra === 'string') e.extra = extra ? normalizeName(extra) : '';
  const full = e.python_full_version;
  if (typeof full === 'string' && full.endsWith('+')) e.python_full_version = `${full}local`;
  return evalNode(node, e);
}

function evalNode(node: MarkerNode, env: Record<string, EnvValue>): boolean {
  if (node.kind !== 'compare') {
    // No short-circuit: packaging evaluates every comparison, so an undefined one always raises.
    const left = evalNode(node.left, env);
    const right = evalNode(node.right, env);
    return node.kind === 'and' ? left && right : left || right;
  }
  const lookup = (name: string): EnvValue => {
    const v = env[name];
    if (v === undefined) throw new MarkerEvaluationError(`undefined environment name: ${name}`);
    return v;
  };
  const text = (v: MarkerValue) => (v.kind === 'variable' ? v.name : v.value);
  let key: string;
  let lhs: EnvValue;
  let rhs: EnvValue;
  const left = node.left;
  const right = node.right;
  // Like packaging: a variable on the left is looked up; otherwise the right side names the variable.
  if (left.kind === 'variable') {
    key = left.name;
    lhs = lookup(key);
    rhs = text(right);
  } else {
    lhs = left.value;
    key = text(right);
    rhs = lookup(key);
  }
  if (typeof lhs !== 'string') throw new MarkerEvaluationError(`'${key}' must be on the right of 'in'`);
  if (key !== 'extra' && MARKERS_ALLOWING_SET.has(key)) {
    lhs = normalizeName(lhs);
    rhs = typeof rhs === 'string' ? normalizeName(rhs) : rhs;
  }
  return evalOp(lhs, node.op, rhs, key);
}

function evalOp(lhs: string, op: string, rhs: EnvValue, key: string): boolean {
  if (MARKERS_REQUIRING_VERSION.has(key) && typeof rhs === 'string') {
    const spec = parseSpecifier(`${op}${rhs}`);
    if (spec) return specifiersContain([spec], lhs, { prereleases: true });
  }
  switch (op) {
    case 'in':
      return typeof rhs === 'string' ? rhs.includes(lhs) : rhs.has(lhs);
    case 'not in':
      return typeof rhs === 'string' ? !rhs.includes(lhs) : !rhs.has(lhs);
    case '<':
    case '>':
      return false;
    case '<=':
    case '==':
    case '>=':
      return typeof rhs === 'string' ? lhs === rhs : false;
    case '!=':
      return typeof rhs === 'string' ? lhs !== rhs : true;
    default:
      throw new MarkerEvaluationError(`undefined comparison ${op} on ${JSON.stringify(lhs)} and ${key}`);
  }
}

function extraUnnormalized(node: Extract<MarkerNode, { kind: 'compare' }>): boolean {
  const other = (v: MarkerValue) => v.kind === 'variable' || v.value !== normalizeName(v.value);
  if (node.left.kind === 'variable' && node.left.name === 'extra') return other(node.right);
  if (node.right.kind === 'variable' && node.right.name === 'extra') return other(node.left);
  return false;
}

/** A Python string literal for a marker value (the grammar has no escaped quotes inside quotes). */
function quoteMarkerString(value: string): string {
  const body = JSON.stringify(value).slice(1, -1);
  if (!value.includes('"')) return `"${body}"`;
  if (!value.includes("'")) return `'${body}'`;
  throw new Error(`a marker value cannot contain both kinds of quote: ${JSON.stringify(value)}`);
}

/** Render a marker back to text (packaging's normalized form: double quotes, minimal parentheses). */
export function formatMarker(node: MarkerNode): string {
  const side = (v: MarkerValue) => (v.kind === 'variable' ? v.name : quoteMarkerString(v.value));
  if (node.kind === 'compare') {
    const text = `${side(node.left)} ${node.op} ${side(node.right)}`;
    // An `extra` comparison that was not normalized (it sat inside parentheses) keeps them, or
    // parsing the text again would normalize it.
    return extraUnnormalized(node) ? `(${text})` : text;
  }
  const wrap = (child: MarkerNode) =>
    node.kind === 'and' && child.kind === 'or' ? `(${formatMarker(child)})` : formatMarker(child);
  // `and` and `or` are associative (and evaluated without short-circuit), so a same-kind child
  // needs no parentheses; only `or` under `and` does.
  return `${wrap(node.left)} ${node.kind} ${wrap(node.right)}`;
}

/**
 * The marker environment of CPython on Debian/Linux in a container.
 * `pythonVersion` is '3.12' (the latest known patch is used for python_full_version) or '3.12.4'.
 */
export function linuxEnvironment(pythonVersion: string, machine = 'x86_64'): MarkerEnvironment {
  // Accept Docker/OCI architecture names too: uname -m is what markers see.
  const uname: Record<string, string> = { amd64: 'x86_64', arm64: 'aarch64', '386': 'i686', arm: 'armv7l' };
  const platformMachine = uname[machine] ?? machine;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(pythonVersion.trim());
  if (!m) throw new Error(`not a Python version: ${JSON.stringify(pythonVersion)}`);
  const minor = `${m[1]}.${m[2]}`;
  const full = m[3] !== undefined ? `${minor}.${m[3]}` : `${minor}.${latestPatch(minor) ?? 0}`;
  return {
    implementation_name: 'cpython',
    implementation_version: full,
    os_name: 'posix',
    platform_machine: platformMachine,
    // The kernel is the host's: unknown when planning an image.
    platform_release: '',
    platform_system: 'Linux',
    platform_version: '',
    python_full_version: full,
    platform_python_implementation: 'CPython',
    python_version: minor,
    sys_platform: 'linux',
  };
}
