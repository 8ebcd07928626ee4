/**
 * A light Python scanner: enough of Python's lexical grammar to find framework objects, calls and
 * settings in source code without being fooled by comments or strings.
 *
 * It tokenizes (names, numbers, strings with their values, operators), joins physical lines into
 * logical lines (brackets and backslash continuations), and records each logical line's indent.
 * String literals of every kind are handled: single/triple quotes, raw/bytes/unicode prefixes, and
 * f-strings including nested replacement fields with quotes (PEP 701). It is not a parser; callers
 * pattern-match token sequences.
 */

export type TokenType = 'name' | 'number' | 'string' | 'op';

export interface Token {
  type: TokenType;
  /** Source text for names, numbers and operators; for strings, the decoded value (best effort). */
  value: string;
  /** String prefix letters, lowercased ('', 'f', 'rb', ...). */
  prefix?: string;
  line: number;
  column: number;
}

export interface Statement {
  tokens: Token[];
  /** Column of the first token. */
  indent: number;
  line: number;
}

const OPERATORS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '->',
  ':=',
  '**',
  '//',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
];

// Sticky: matched in place, without copying the rest of the source for every number.
const NUMBER =
  /0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?[jJ]?/y;

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

function isIdentStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code > 127;
}

const IDENT_REST = /[A-Za-z0-9_\u0080-\uffff]*/y;
const STRING_START = /([rRbBuUfFtT]{0,2})(['"])/y;

/**
 * Tokenize Python source into logical lines. Never throws: unterminated strings end at the end of
 * the file, stray characters become operator tokens.
 */
export function scanPython(src: string): Statement[] {
  const statements: Statement[] = [];
  let tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = src.length;

  const flush = () => {
    if (tokens.length > 0) {
      const first = tokens[0] as Token;
      statements.push({ tokens, indent: first.column - 1, line: first.line });
    }
    tokens = [];
  };
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };

  // Reads a string body starting after the opening quote(s); returns the index after the closing quote.
  const readString = (start: number, quote: string, triple: boolean, raw: boolean, fstring: boolean) => {
    let j = start;
    let value = '';
    const close = triple ? quote.repeat(3) : quote;
    while (j < n) {
      const c = src[j] as string;
      if (src.startsWith(close, j)) return { end: j + close.length, value };
      if (c === '\\') {
        const next = src[j + 1] ?? '';
        if (next === '\n') newline(j + 1);
        if (raw) value += c + next;
        else value += ESCAPES[next] ?? (next === '\n' ? '' : `\\${next}`);
        j += 2;
        continue;
      }
      if (c === '\n') {
        if (!triple) return { end: j, value }; // unterminated: stop at the line end
        newline(j);
      }
      if (fstring && c === '{') {
        if (src[j + 1] === '{') {
          value += '{';
          j += 2;
          continue;
        }
        // A replacement field: skip balanced brackets, nested strings included.
        let d = 1;
        j++;
        value += '{';
        while (j < n && d > 0) {
          const ch = src[j] as string;
          if (ch === '{' || ch === '[' || ch === '(') d++;
          else if (ch === '}' || ch === ']' || ch === ')') d--;
          else if (ch === "'" || ch === '"') {
            const t = src.startsWith(ch.repeat(3), j);
            const inner = readString(j + (t ? 3 : 1), ch, t, false, false);
            j = inner.end;
            continue;
          } else if (ch === '\n') newline(j);
          j++;
        }
        value += '}';
        continue;
      }
      if (fstring && c === '}' && src[j + 1] === '}') {
        value += '}';
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    return { end: n, value };
  };

  while (i < n) {
    const c = src[i] as string;
    if (c === '\n') {
      if (depth === 0) flush();
      newline(i);
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\r' ? 2 : 1;
      newline(i);
      i++;
      continue;
    }
    const column = i - lineStart + 1;
    const startLine = line;
    // String literal, with an optional prefix.
    const code = src.charCodeAt(i);
    STRING_START.lastIndex = i;
    const pm = code === 34 || code === 39 || isIdentStart(code) ? STRING_START.exec(src) : null;
    if (pm && (pm[1] === '' || /^(r|b|u|f|t|rb|br|fr|rf|tr|rt)$/i.test(pm[1] as string))) {
      const prefix = (pm[1] as string).toLowerCase();
      const quote = pm[2] as string;
      const q = i + prefix.length;
      const triple = src.startsWith(quote.repeat(3), q);
      const templated = prefix.includes('f') || prefix.includes('t');
      const r = readString(q + (triple ? 3 : 1), quote, triple, prefix.includes('r'), templated);
      tokens.push({ type: 'string', value: r.value, prefix, line: startLine, column });
      i = r.end;
      continue;
    }
    if (isIdentStart(code)) {
      IDENT_REST.lastIndex = i + 1;
      IDENT_REST.exec(src);
      const j = IDENT_REST.lastIndex;
      tokens.push({ type: 'name', value: src.slice(i, j), line, column });
      i = j;
      continue;
    }
    const next = src.charCodeAt(i + 1);
    if ((code >= 48 && code <= 57) || (code === 46 && next >= 48 && next <= 57)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      const text = m?.[0] || c;
      tokens.push({ type: 'number', value: text, line, column });
      i += text.length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i)) ?? c;
    if (op === '(' || op === '[' || op === '{') depth++;
    else if ((op === ')' || op === ']' || op === '}') && depth > 0) depth--;
    if (op === ';' && depth === 0) {
      flush();
      i++;
      continue;
    }
    tokens.push({ type: 'op', value: op, line, column });
    i += op.length;
  }
  flush();
  return statements;
}

/** Index of the bracket that closes the one at `open`, or tokens.length. */
export function matchingBracket(tokens: Token[], open: number): number {
  let d = 0;
  for (let k = open; k < tokens.length; k++) {
    const v = (tokens[k] as Token).value;
    if ((tokens[k] as Token).type !== 'op') continue;
    if (v === '(' || v === '[' || v === '{') d++;
    else if (v === ')' || v === ']' || v === '}') {
      d--;
      if (d === 0) return k;
    }
  }
  return tokens.length;
}

/** Dotted name starting at `k` ('web.Application', 'gr.Blocks'); returns the name and the index after it. */
export function dottedName(tokens: Token[], k: number): { name: string; end: number } | null {
  const first = tokens[k];
  if (first?.type !== 'name') return null;
  let name = first.value;
  let j = k + 1;
  while (tokens[j]?.value === '.' && tokens[j + 1]?.type === 'name') {
    name += `.${(tokens[j + 1] as Token).value}`;
    j += 2;
  }
  return { name, end: j };
}

export interface CallArgs {
  positional: Token[][];
  keywords: Map<string, Token[]>;
}

/** Split the arguments of a call whose '(' is at `open`. */
export function callArgs(tokens: Token[], open: number): CallArgs {
  const close = matchingBracket(tokens, open);
  const positional: Token[][] = [];
  const keywords = new Map<string, Token[]>();
  let start = open + 1;
  let d = 0;
  const push = (from: number, to: number) => {
    const part = tokens.slice(from, to);
    if (part.length === 0) return;
    if (part[0]?.type === 'name' && part[1]?.value === '=' && part[1].type === 'op') {
      keywords.set(part[0].value, part.slice(2));
    } else positional.push(part);
  };
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k] as Token;
    if (t.type !== 'op') continue;
    if (t.value === '(' || t.value === '[' || t.value === '{') d++;
    else if (t.value === ')' || t.value === ']' || t.value === '}') d--;
    else if (t.value === ',' && d === 0) {
      push(start, k);
      start = k + 1;
    }
  }
  push(start, close);
  return { positional, keywords };
}

/** A literal int in an argument expression: `8080`, `int(os.environ.get("PORT", "8080"))`, `"8080"`. */
export function literalInt(expr: Token[] | undefined): number | null {
  if (!expr) return null;
  for (const t of expr) {
    if (t.type === 'number' && /^\d+$/.test(t.value)) return Number(t.value);
    if (t.type === 'string' && /^\d{2,5}$/.test(t.value)) return Number(t.value);
  }
  return null;
}

/** The value of an argument that is exactly one plain string literal (possibly implicitly concatenated). */
export function literalString(expr: Token[] | undefined): string | null {
  if (!expr || expr.length === 0) return null;
  if (!expr.every((t) => t.type === 'string' && !/[ft]/.test(t.prefix ?? ''))) return null;
  return expr.map((t) => t.value).join('');
}

/** Imports of a module: bound local name -> fully qualified name ('FastAPI' -> 'fastapi.FastAPI', 'web' -> 'aiohttp.web'). */
export function importBindings(statements: Statement[]): Map<string, string> {
  const bound = new Map<string, string>();
  for (const st of statements) {
    const t = st.tokens;
    if (t[0]?.value === 'import' && t[0].type === 'name') {
      let k = 1;
      while (k < t.length) {
        const d = dottedName(t, k);
        if (!d) break;
        k = d.end;
        if (t[k]?.value === 'as' && t[k + 1]?.type === 'name') {
          bound.set((t[k + 1] as Token).value, d.name);
          k += 2;
        } else bound.set(d.name.split('.')[0] as string, d.name.split('.')[0] as string);
        if (t[k]?.value === ',') k++;
        else break;
      }
    } else if (t[0]?.value === 'from' && t[0].type === 'name') {
      let k = 1;
      let mod = '';
      while (t[k]?.value === '.' || t[k]?.value === '...') mod += (t[k++] as Token).value;
      const d = t[k]?.value === 'import' ? null : dottedName(t, k);
      if (d) {
        mod += d.name;
        k = d.end;
      }
      if (t[k]?.value !== 'import') continue;
      k++;
      if (t[k]?.value === '(') k++;
      while (k < t.length && t[k]?.type === 'name') {
        const name = (t[k] as Token).value;
        k++;
        let local = name;
        if (t[k]?.value === 'as' && t[k + 1]?.type === 'name') {
          local = (t[k + 1] as Token).value;
          k += 2;
        }
        bound.set(local, mod.endsWith('.') ? `${mod}${name}` : `${mod}.${name}`);
        if (t[k]?.value === ',') k++;
      }
    }
  }
  return bound;
}

/** Resolve a dotted name through the import bindings: 'web.Application' -> 'aiohttp.web.Application'. */
export function qualify(name: string, bindings: Map<string, string>): string {
  const [head, ...rest] = name.split('.');
  const q = bindings.get(head as string);
  return q ? [q, ...rest].join('.') : name;
}

/** Top-level modules a file imports (absolute imports only). */
export function importedModules(statements: Statement[]): Set<string> {
  const mods = new Set<string>();
  for (const st of statements) {
    const t = st.tokens;
    if (t[0]?.type !== 'name') continue;
    if (t[0].value === 'import') {
      for (let k = 1; k < t.length; k++) {
        const d = dottedName(t, k);
        if (!d) continue;
        mods.add(d.name);
        k = d.end;
        if (t[k]?.value === 'as') k += 1;
      }
    } else if (t[0].value === 'from' && t[1]?.type === 'name') {
      const d = dottedName(t, 1);
      if (d) mods.add(d.name);
    }
  }
  return mods;
}
