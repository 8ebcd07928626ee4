/**
 * The one POSIX shell word splitter: quotes and backslashes, no expansion. It serves command strings
 * (--command, [tool.pycontain] command, Procfile lines) and pip's requirement-file options, which
 * pip splits with Python's `shlex.split` (the same rules for the cases that occur).
 */

/** A word and the offset in the text where it starts. */
export interface ShellWord {
  value: string;
  start: number;
}

/** A quote never closed, a backslash at the end, or (with `operators: 'reject'`) shell syntax. */
export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    /** Offset in the text the error is about. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

export interface ShellWordOptions {
  /**
   * 'reject': a pipe, list, redirection, subshell or command substitution outside single quotes
   * throws: the text needs a real shell, not an argv. Default 'literal': they are word characters.
   */
  operators?: 'literal' | 'reject';
}

// shlex's whitespace; a shell's IFS default is the same but for \r.
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const OPERATORS = '|&;<>()`';
// Inside double quotes a backslash escapes only these (POSIX); before anything else it stays.
const DQ_ESCAPES = '\\"$`\n';

/** Split `text` into words, each with the offset where it starts. */
export function shellWords(text: string, opts: ShellWordOptions = {}): ShellWord[] {
  const reject = opts.operators === 'reject';
  const out: ShellWord[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let value = '';
    while (i < text.length && !isSpace(text[i])) {
      const c = text[i] as string;
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) throw new ShellSyntaxError("unterminated ' quote", i);
        value += text.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        const open = i++;
        for (;;) {
          if (i >= text.length) throw new ShellSyntaxError('unterminated " quote', open);
          const d = text[i] as string;
          if (d === '"') break;
          if (reject && d === '`') throw new ShellSyntaxError('command substitution needs a shell', i);
          if (d === '\\' && DQ_ESCAPES.includes(text[i + 1] ?? '')) value += text[++i];
          else value += d;
          i++;
        }
        i++;
      } else if (c === '\\') {
        if (i + 1 >= text.length) throw new ShellSyntaxError('nothing after the final backslash', i);
        value += text[i + 1];
        i += 2;
      } else {
        if (reject && OPERATORS.includes(c)) throw new ShellSyntaxError(`${c} needs a shell`, i);
        value += c;
        i++;
      }
    }
    out.push({ value, start });
  }
  return out;
}

/** The words of `text` as an argv; throws {@link ShellSyntaxError} on an unterminated quote. */
export function splitShellWords(text: string): string[] {
  return shellWords(text).map((w) => w.value);
}

/** The argv of a simple command, or null when it needs a real shell (pipes, lists, redirections). */
export function simpleCommandArgv(text: string): string[] | null {
  try {
    return shellWords(text, { operators: 'reject' }).map((w) => w.value);
  } catch (err) {
    if (err instanceof ShellSyntaxError) return null;
    throw err;
  }
}
