/**
 * A small POSIX shell tokenizer with source offsets, for RUN commands and heredoc scripts.
 *
 * It is not a shell parser: it splits a script into simple commands at `&&`, `||`, `;`, `|`, `&`,
 * newlines and parentheses, removes quotes, drops redirections and leading assignments, and keeps,
 * for every word, where it came from in the Dockerfile. That is what rules need to find
 * `pip install`, `apt-get`, `cd` or `sudo` and to point at them precisely. Command substitutions
 * (`$(...)`, backticks) stay inside their word and are not analysed.
 */

export interface Word {
  /** The word after quote removal; parameter expansions are kept literally (`$HOME`). */
  value: string;
  /** Offset in the Dockerfile of the first character of the word. */
  start: number;
  /** Offset in the Dockerfile just after the last character of the word. */
  end: number;
  /** Some part of the word was quoted. */
  quoted: boolean;
}

export type Operator = '&&' | '||' | ';' | '|' | '&' | '\n' | '(' | ')' | '';

export interface Command {
  /** The command and its arguments, without assignments, redirections and leading reserved words. */
  argv: Word[];
  /** `NAME=value` words before the command. */
  assignments: Word[];
  /** Targets of redirections (`> file`, `2>&1`, `<<EOF`). */
  redirects: Word[];
  /** The operator before this command ('' at the start). */
  before: Operator;
  /** The operator after this command ('' at the end). */
  after: Operator;
  /** Part of a pipeline of two or more commands. */
  piped: boolean;
  /** Inside `( ... )`. */
  subshell: boolean;
}

/** Characters that end a run of plain word characters. */
const SPECIAL = new Uint8Array(128);
for (const ch of ' \t\r\n\\\'"$`&|;()<>') SPECIAL[ch.charCodeAt(0)] = 1;

const RESERVED_START = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{']);
const RESERVED_END = new Set(['fi', 'done', 'esac', '}']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;

/**
 * Tokenize `src`. `map(i)` gives the Dockerfile offset of `src[i]` (identity by default); it lets a
 * RUN whose continuation lines were joined still report exact positions.
 */
export function parseShell(src: string, map: (i: number) => number = (i) => i): Command[] {
  const commands: Command[] = [];
  const n = src.length;
  let words: Word[] = [];
  let redirects: Word[] = [];
  let pendingRedirect = false;
  let before: Operator = '';
  let subshellDepth = 0;

  let inWord = false;
  let wordStart = 0;
  let wordLast = 0;
  let value = '';
  let quoted = false;

  const startWord = (i: number): void => {
    if (!inWord) {
      inWord = true;
      wordStart = i;
      value = '';
      quoted = false;
    }
  };
  const endWord = (): void => {
    if (!inWord) return;
    inWord = false;
    const w: Word = { value, start: map(wordStart), end: map(wordLast) + 1, quoted };
    if (pendingRedirect) {
      redirects.push(w);
      pendingRedirect = false;
    } else words.push(w);
  };
  const endCommand = (op: Operator): void => {
    endWord();
    pendingRedirect = false;
    let k = 0;
    const assignments: Word[] = [];
    // Reserved words and assignments may interleave at the start: `if FOO=1 cmd; then X=2 cmd2`.
    for (;;) {
      const w = words[k];
      if (!w) break;
      if (!w.quoted && RESERVED_START.has(w.value)) k++;
      else if (!w.quoted && ASSIGNMENT.test(w.value)) {
        assignments.push(w);
        k++;
      } else break;
    }
    let argv = words.slice(k);
    const first = argv[0];
    if (first && !first.quoted) {
      if (RESERVED_END.has(first.value)) argv = argv.slice(1);
      // Compound commands whose words are not a simple command.
      else if (first.value === 'for' || first.value === 'case' || first.value === 'function') argv = [];
    }
    if (argv.length > 0 || assignments.length > 0 || redirects.length > 0) {
      commands.push({
        argv,
        assignments,
        redirects,
        before,
        after: op,
        piped: false,
        subshell: subshellDepth > 0,
      });
    }
    const last = commands[commands.length - 1];
    if (last && last.after === '' && op !== '') last.after = op;
    words = [];
    redirects = [];
    before = op;
  };

  // Scan a balanced construct starting at src[i] === open; returns the index after its close.
  const scanBalanced = (i: number, open: string, close: string): number => {
    let depth = 0;
    let j = i;
    while (j < n) {
      const c = src[j]!;
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (c === "'" && open === '(') {
        const q = src.indexOf("'", j + 1);
        j = q < 0 ? n : q + 1;
        continue;
      }
      if (c === open) depth++;
      else if (c === close) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return n;
  };

  let i = 0;
  while (i < n) {
    const c = src[i]!;
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
        endWord();
        i++;
        continue;
      case '\n':
        endCommand('\n');
        i++;
        continue;
      case '#':
        if (!inWord) {
          const nl = src.indexOf('\n', i);
          i = nl < 0 ? n : nl;
          continue;
        }
        value += c;
        wordLast = i++;
        continue;
      case '\\': {
        const next = src[i + 1];
        if (next === '\n') {
          i += 2;
          continue;
        }
        if (next === '\r' && src[i + 2] === '\n') {
          i += 3;
          continue;
        }
        startWord(i);
        if (next !== undefined) {
          value += next;
          quoted = true;
          wordLast = i + 1;
          i += 2;
        } else {
          wordLast = i++;
        }
        continue;
      }
      case "'": {
        startWord(i);
        quoted = true;
        const q = src.indexOf("'", i + 1);
        const end = q < 0 ? n : q;
        value += src.slice(i + 1, end);
        wordLast = Math.min(end, n - 1);
        i = end + 1;
        continue;
      }
      case '"': {
        startWord(i);
        quoted = true;
        let j = i + 1;
        while (j < n && src[j] !== '"') {
          const d = src[j]!;
          if (d === '\\' && j + 1 < n) {
            const e = src[j + 1]!;
            if (e === '"' || e === '\\' || e === '$' || e === '`') value += e;
            else if (e !== '\n') value += d + e;
            j += 2;
          } else if (d === '$' && src[j + 1] === '(') {
            const k = scanBalanced(j + 1, '(', ')');
            value += src.slice(j, k);
            j = k;
          } else if (d === '`') {
            const k = src.indexOf('`', j + 1);
            const e = k < 0 ? n : k + 1;
            value += src.slice(j, e);
            j = e;
          } else {
            value += d;
            j++;
          }
        }
        wordLast = Math.min(j, n - 1);
        i = j + 1;
        continue;
      }
      case '$': {
        startWord(i);
        const next = src[i + 1];
        let e = i + 1;
        if (next === '(') e = scanBalanced(i + 1, '(', ')');
        else if (next === '{') e = scanBalanced(i + 1, '{', '}');
        value += src.slice(i, e);
        wordLast = e - 1;
        i = e;
        continue;
      }
      case '`': {
        startWord(i);
        const k = src.indexOf('`', i + 1);
        const e = k < 0 ? n : k + 1;
        value += src.slice(i, e);
        wordLast = e - 1;
        i = e;
        continue;
      }
      case '&':
        if (src[i + 1] === '&') {
          endCommand('&&');
          i += 2;
        } else if (src[i + 1] === '>') {
          endWord();
          pendingRedirect = true;
          i += src[i + 2] === '>' ? 3 : 2;
        } else {
          endCommand('&');
          i++;
        }
        continue;
      case '|':
        if (src[i + 1] === '|') {
          endCommand('||');
          i += 2;
        } else {
          endCommand('|');
          i += src[i + 1] === '&' ? 2 : 1;
        }
        continue;
      case ';':
        endCommand(';');
        i += src[i + 1] === ';' ? 2 : 1;
        continue;
      case '(':
        endCommand('(');
        subshellDepth++;
        i++;
        continue;
      case ')':
        endCommand(')');
        if (subshellDepth > 0) subshellDepth--;
        i++;
        continue;
      case '>':
      case '<': {
        // A word made only of digits right before the operator is a file descriptor, not an argument.
        if (inWord && /^\d+$/.test(value) && !quoted && wordLast === i - 1) inWord = false;
        else endWord();
        let j = i + 1;
        while (
          j < n &&
          (src[j] === '>' || src[j] === '<' || src[j] === '&' || src[j] === '|' || src[j] === '-')
        )
          j++;
        pendingRedirect = true;
        // `2>&1`: the target is glued to the operator.
        i = j;
        continue;
      }
      default: {
        startWord(i);
        let j = i + 1;
        while (j < n) {
          const code = src.charCodeAt(j);
          if (code < 128 && SPECIAL[code] === 1) break;
          j++;
        }
        value += src.slice(i, j);
        wordLast = j - 1;
        i = j;
      }
    }
  }
  endCommand('');
  for (let k = 0; k < commands.length; k++) {
    const cmd = commands[k]!;
    if (cmd.before === '|' || cmd.after === '|') cmd.piped = true;
  }
  return commands;
}

/** Basename of a command word: `/usr/bin/pip3` -> `pip3`. */
export function baseName(w: { value: string } | undefined): string {
  if (!w) return '';
  const v = w.value;
  const slash = v.lastIndexOf('/');
  return slash >= 0 ? v.slice(slash + 1) : v;
}

const WRAPPERS = new Set(['sudo', 'env', 'exec', 'time', 'nice', 'nohup', 'command', 'doas', 'xargs']);

/**
 * The words of the command actually run, skipping wrappers such as `sudo -u app`, `env FOO=1`,
 * `nice -n 5`, `xargs`. Assignments given to `env` are returned separately.
 */
export function effectiveArgv(cmd: Command): { argv: Word[]; assignments: Word[] } {
  let argv = cmd.argv;
  const assignments = cmd.assignments.slice();
  for (let guard = 0; guard < 4; guard++) {
    const name = baseName(argv[0]);
    if (!WRAPPERS.has(name)) break;
    let k = 1;
    while (k < argv.length) {
      const v = argv[k]!.value;
      if (name === 'env' && ASSIGNMENT.test(v)) {
        assignments.push(argv[k]!);
        k++;
      } else if (v.startsWith('-')) {
        // Options of sudo/nice/xargs that take a value.
        if (/^-(u|g|n|I|P|C|h|p|U|r|t)$/.test(v)) k += 2;
        else k++;
      } else break;
    }
    argv = argv.slice(k);
  }
  return { argv, assignments };
}

/** True for `set -o pipefail`, `set -eo pipefail`, `set -euxo pipefail`. */
export function setsPipefail(cmd: Command): boolean {
  const a = cmd.argv;
  if (baseName(a[0]) !== 'set') return false;
  for (let k = 1; k < a.length; k++) {
    if (a[k]!.value === 'pipefail' && /^-[a-z]*o$/.test(a[k - 1]!.value)) return true;
  }
  return false;
}
