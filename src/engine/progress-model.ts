/**
 * A build's steps as the engine reports them, fed from BuildKit's `--progress=rawjson` (SolveStatus
 * objects) or from plain-text progress (BuildKit's `#N ...` lines, podman's `STEP n/m:` lines).
 */

export interface Vertex {
  /** BuildKit digest, or a synthetic id for plain-text sources. */
  id: string;
  /** e.g. `[builder 3/7] RUN pip install ...` or `[internal] load build definition from Dockerfile`. */
  name: string;
  started?: Date;
  completed?: Date;
  cached: boolean;
  error?: string;
  /** Output of the step (stdout and stderr interleaved), tail only. */
  logs: string[];
  /** First time we heard of it, to keep the order stable. */
  order: number;
}

export interface BuildWarning {
  message: string;
  detail?: string;
}

const MAX_LOG_LINES = 200;

/** Accumulates vertices; both parsers write into it, the progress views and the summary read it. */
export class SolveState {
  readonly vertices = new Map<string, Vertex>();
  readonly warnings: BuildWarning[] = [];
  /** Output that was not part of any vertex (the engine's own error block at the end, plain lines). */
  readonly otherLines: string[] = [];
  private counter = 0;
  private partial = new Map<string, string>();

  vertex(id: string, name?: string): Vertex {
    let v = this.vertices.get(id);
    if (!v) {
      v = { id, name: name ?? id, cached: false, logs: [], order: this.counter++ };
      this.vertices.set(id, v);
    } else if (name) {
      v.name = name;
    }
    return v;
  }

  addLog(id: string, text: string): void {
    const v = this.vertex(id);
    const joined = (this.partial.get(id) ?? '') + text;
    const parts = joined.split(/\r?\n/);
    this.partial.set(id, parts.pop() ?? '');
    for (const p of parts) {
      // progress bars redraw with \r: keep what the line finally said
      const line = p.includes('\r') ? (p.split('\r').pop() ?? '') : p;
      v.logs.push(line);
    }
    if (v.logs.length > MAX_LOG_LINES) v.logs.splice(0, v.logs.length - MAX_LOG_LINES);
  }

  addOther(line: string): void {
    this.otherLines.push(line);
    if (this.otherLines.length > 400) this.otherLines.splice(0, this.otherLines.length - 400);
  }

  /** Vertices in the order they appeared. */
  list(): Vertex[] {
    return [...this.vertices.values()].sort((a, b) => a.order - b.order);
  }

  /** Dockerfile steps only (`[stage n/m] INSTR`), not BuildKit's internal bookkeeping. */
  steps(): Vertex[] {
    return this.list().filter((v) => isDockerfileStep(v.name));
  }

  cachedSteps(): Vertex[] {
    return this.steps().filter((v) => v.cached);
  }

  failed(): Vertex | undefined {
    return this.list().find((v) => v.error);
  }

  /** The step running now (started, not completed), else the last one that started. */
  current(): Vertex | undefined {
    const l = this.list();
    const running = l.filter((v) => v.started && !v.completed);
    if (running.length) return running[running.length - 1];
    return l.filter((v) => v.started).pop();
  }

  /** Flush partial log lines at the end of the build. */
  finish(): void {
    for (const [id, rest] of this.partial) {
      if (rest) this.vertex(id).logs.push(rest);
    }
    this.partial.clear();
  }
}

/** `[2/4] RUN ...`, `[builder 3/7] COPY ...`, `[stage-1 1/3] FROM ...`. */
export function isDockerfileStep(name: string): boolean {
  return /^\[[^\]]*\d+\/\d+\]\s/.test(name);
}

/** The instruction part of a step name: `RUN pip install ...`. */
export function stepInstruction(name: string): string {
  return name.replace(/^\[[^\]]*\]\s*/, '');
}
