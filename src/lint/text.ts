/**
 * Line table over a text, matching vscode-languageserver-textdocument (what dockerfile-ast uses):
 * `\n`, `\r\n` and a lone `\r` each end a line; columns are UTF-16 code units.
 */
export class LineIndex {
  readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    if (!text.includes('\r')) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /** 0-based line/character (LSP) to an offset. */
  offset(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    return Math.min((this.starts[line] ?? 0) + character, this.text.length);
  }

  /** Offset to 0-based line and character. */
  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - (this.starts[lo] ?? 0) };
  }

  /** End of the line's content (before its line break). */
  lineEnd(line: number): number {
    const next = this.starts[line + 1];
    if (next === undefined) return this.text.length;
    let e = next;
    if (this.text.charCodeAt(e - 1) === 10) e--;
    if (this.text.charCodeAt(e - 1) === 13) e--;
    return e;
  }

  lineText(line: number): string {
    return this.text.slice(this.starts[line] ?? this.text.length, this.lineEnd(line));
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
