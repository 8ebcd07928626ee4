import type { SolveState } from './progress-model.js';

/**
 * Parser for `docker buildx build --progress=rawjson` output (stderr). buildx writes BuildKit
 * SolveStatus objects, one per write: pretty-printed over many lines in buildx 0.13, one per line
 * in later versions; error text and warnings can be interleaved between them (docker/buildx#2967).
 * So the stream is split into balanced top-level `{...}` objects and plain lines; an object that is
 * not valid JSON is kept as plain lines.
 */

interface RawVertex {
  digest?: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}
interface RawLog {
  vertex?: string;
  stream?: number;
  data?: string;
}
interface RawWarning {
  vertex?: string;
  short?: string;
  detail?: string[];
}
interface RawStatus {
  vertexes?: RawVertex[];
  logs?: RawLog[];
  warnings?: RawWarning[];
}

const MAX_OBJECT = 32 * 1024 * 1024;

export class RawJsonParser {
  private depth = 0;
  private inString = false;
  private escape = false;
  private cur = '';
  /** Number of SolveStatus objects understood, to tell rawjson output from something else. */
  objects = 0;

  constructor(
    private readonly state: SolveState,
    /** Called for every non-JSON line (e.g. the engine's final error block). */
    private readonly onText?: (line: string) => void,
    /** Called after each SolveStatus object is applied (the live view redraws then). */
    private readonly onUpdate?: () => void,
  ) {}

  /** `_stream` only for the same signature as PlainProgressParser: rawjson comes on stderr alone. */
  feed(chunk: string, _stream?: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as string;
      if (this.depth === 0) {
        if (ch === '{' && this.cur.trim() === '') {
          this.cur = '{';
          this.depth = 1;
          this.inString = false;
          this.escape = false;
        } else if (ch === '\n') {
          this.text(this.cur);
          this.cur = '';
        } else {
          this.cur += ch;
        }
        continue;
      }
      this.cur += ch;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (ch === '\\') this.escape = true;
        else if (ch === '"') this.inString = false;
      } else if (ch === '"') {
        this.inString = true;
      } else if (ch === '{') {
        this.depth++;
      } else if (ch === '}') {
        this.depth--;
        if (this.depth === 0) {
          this.object(this.cur);
          this.cur = '';
        }
      }
      if (this.cur.length > MAX_OBJECT) this.giveUp();
    }
  }

  /** End of stream: whatever is left is text. */
  end(): void {
    if (this.depth > 0) this.giveUp();
    if (this.cur) this.text(this.cur);
    this.cur = '';
    this.state.finish();
  }

  private giveUp(): void {
    const text = this.cur;
    this.cur = '';
    this.depth = 0;
    this.inString = false;
    for (const line of text.split('\n')) this.text(line);
  }

  private text(line: string): void {
    const l = line.replace(/\r$/, '');
    if (l.trim() === '') return;
    this.state.addOther(l);
    this.onText?.(l);
  }

  private object(text: string): void {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      for (const line of text.split('\n')) this.text(line);
      return;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      this.text(text);
      return;
    }
    this.objects++;
    applySolveStatus(this.state, o as RawStatus);
    this.onUpdate?.();
  }
}

export function applySolveStatus(state: SolveState, s: RawStatus): void {
  for (const rv of s.vertexes ?? []) {
    if (!rv.digest) continue;
    const v = state.vertex(rv.digest, rv.name);
    if (rv.started) v.started = new Date(rv.started);
    if (rv.completed) v.completed = new Date(rv.completed);
    if (rv.cached) v.cached = true;
    if (rv.error) v.error = rv.error;
  }
  for (const log of s.logs ?? []) {
    if (!log.vertex || typeof log.data !== 'string') continue;
    state.addLog(log.vertex, Buffer.from(log.data, 'base64').toString('utf8'));
  }
  for (const w of s.warnings ?? []) {
    const message = w.short ? Buffer.from(w.short, 'base64').toString('utf8') : 'warning';
    const detail = (w.detail ?? []).map((d) => Buffer.from(d, 'base64').toString('utf8')).join('\n');
    state.warnings.push(detail ? { message, detail } : { message });
  }
}

/**
 * Plain-text progress: BuildKit's `--progress=plain` (`#5 [2/4] RUN ...`, `#5 CACHED`, `#5 ERROR: ...`)
 * and podman/buildah (`[1/2] STEP 3/5: RUN ...`, `--> Using cache ...`, `--> 4f3c2a`, `COMMIT`,
 * `Error: building at STEP ...`, `level=warning msg="..."`).
 *
 * Podman writes its steps and their output to stdout and warnings and errors to stderr: feed each
 * stream with its own `stream` name, so a line split across chunks is never joined with the other
 * stream's text.
 */
export class PlainProgressParser {
  private readonly bufs = new Map<string, string>();
  private podmanCurrent: string | null = null;
  /** podman stage number → `AS` name, from the stage's FROM step. */
  private readonly stageNames = new Map<string, string>();

  constructor(
    private readonly state: SolveState,
    private readonly onUpdate?: () => void,
  ) {}

  feed(chunk: string, stream = 'default'): void {
    const parts = ((this.bufs.get(stream) ?? '') + chunk).split('\n');
    this.bufs.set(stream, parts.pop() ?? '');
    for (const p of parts) this.line(p.replace(/\r$/, ''));
  }

  end(): void {
    for (const rest of this.bufs.values()) if (rest) this.line(rest);
    this.bufs.clear();
    this.completePodmanStep(new Date());
    this.state.finish();
  }

  private completePodmanStep(now: Date): void {
    if (!this.podmanCurrent) return;
    const v = this.state.vertex(this.podmanCurrent);
    v.completed ??= now;
  }

  private line(line: string): void {
    const now = new Date();
    const bk = /^#(\d+) (.*)$/.exec(line);
    if (bk) {
      const id = `#${bk[1]}`;
      const rest = bk[2] as string;
      const known = this.state.vertices.has(id);
      const v = this.state.vertex(id);
      if (!known) {
        v.name = rest;
        v.started = now;
      } else if (rest === 'CACHED') {
        v.cached = true;
        v.completed = now;
      } else if (/^DONE\b/.test(rest)) {
        v.completed = now;
      } else if (/^ERROR:?\s/.test(rest)) {
        v.error = rest.replace(/^ERROR:?\s*/, '');
        v.completed = now;
      } else if (/^CANCELED\b/.test(rest)) {
        v.completed = now;
      } else {
        // `#5 0.532 output` lines carry a timestamp before the output
        v.logs.push(rest.replace(/^\d+\.\d+ /, ''));
        if (v.logs.length > 200) v.logs.shift();
      }
      this.onUpdate?.();
      return;
    }
    const step = /^(?:\[(\d+)\/(\d+)\] )?STEP (\d+)\/(\d+): (.*)$/.exec(line);
    if (step) {
      this.completePodmanStep(now);
      const [, stageNo, stageCount, n, m, instruction] = step as unknown as string[];
      const id = `podman:${stageNo ?? '1'}:${n}`;
      const as = /^FROM\s.*\sAS\s+(\S+)\s*$/i.exec(instruction ?? '');
      if (stageNo && as?.[1]) this.stageNames.set(stageNo, as[1]);
      // BuildKit's names: the stage's AS name, else `stage-N` (0-based); none in a one-stage build
      const stage =
        stageNo && Number(stageCount) > 1
          ? `${this.stageNames.get(stageNo) ?? `stage-${Number(stageNo) - 1}`} `
          : '';
      const v = this.state.vertex(id, `[${stage}${n}/${m}] ${instruction}`);
      v.started = now;
      this.podmanCurrent = id;
      this.onUpdate?.();
      return;
    }
    if (this.podmanCurrent && /^--> Using cache\b/.test(line)) {
      const v = this.state.vertex(this.podmanCurrent);
      v.cached = true;
      v.completed = now;
      this.onUpdate?.();
      return;
    }
    // `--> 4f3c2a1b9e0`: the step committed its layer; `[2/2] COMMIT tag`: the last step is done
    if (this.podmanCurrent && /^(--> [0-9a-f]{6,64}|(\[\d+\/\d+\] )?COMMIT\b)/.test(line)) {
      this.completePodmanStep(now);
      this.onUpdate?.();
      return;
    }
    // podman's logrus lines: `time="..." level=warning msg="..."` (or `WARN[0000] ...` on a terminal)
    const warn = /\blevel=warn(?:ing)? msg="((?:[^"\\]|\\.)*)"/.exec(line) ?? /^WARN\[\d+\] (.*)$/.exec(line);
    if (warn) {
      const message = (warn[1] ?? '').replace(/\\(.)/g, '$1');
      if (!this.state.warnings.some((w) => w.message === message)) this.state.warnings.push({ message });
      this.onUpdate?.();
      return;
    }
    const perr = /^Error: building at STEP "(.*)": (.*)$/.exec(line);
    if (perr && this.podmanCurrent) {
      const v = this.state.vertex(this.podmanCurrent);
      v.error = perr[2] as string;
      v.completed = now;
    }
    if (this.podmanCurrent && !/^(-->|COMMIT|Successfully|STEP)/.test(line)) {
      const v = this.state.vertex(this.podmanCurrent);
      if (!perr) {
        v.logs.push(line);
        if (v.logs.length > 200) v.logs.shift();
      }
    }
    this.state.addOther(line);
    this.onUpdate?.();
  }
}
