import pc from 'picocolors';
import { type SolveState, stepInstruction, type Vertex } from './progress-model.js';

/**
 * Build progress for humans, on stderr. A live view (log-update) on a TTY outside CI: current step,
 * done/cached counts, elapsed time, the step's last output line. Plain lines otherwise: one when a
 * Dockerfile step starts, one when it ends (CACHED / done in Ns / ERROR).
 */
export type ProgressMode = 'tty' | 'plain' | 'quiet';

export interface ProgressView {
  update(state: SolveState): void;
  /** A line of our own (e.g. "building with docker buildx build ..."). */
  note(text: string): void;
  done(state: SolveState, ok: boolean): void;
}

export function chooseProgressMode(
  requested: string | undefined,
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): ProgressMode {
  if (requested === 'plain' || requested === 'quiet' || requested === 'tty') return requested;
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return 'plain';
  return stream.isTTY ? 'tty' : 'plain';
}

export async function createProgressView(
  mode: ProgressMode,
  stream: NodeJS.WritableStream = process.stderr,
  label = '',
): Promise<ProgressView> {
  if (mode === 'quiet') return { update() {}, note() {}, done() {} };
  if (mode === 'plain') return new PlainView(stream, label);
  const { createLogUpdate } = await import('log-update');
  return new TtyView(createLogUpdate(stream as NodeJS.WriteStream), stream, label);
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

class PlainView implements ProgressView {
  private announced = new Set<string>();
  private finished = new Set<string>();
  private readonly t0 = Date.now();

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly label: string,
  ) {}

  private write(s: string): void {
    this.out.write(`${this.label ? `${this.label} ` : ''}${s}\n`);
  }

  note(text: string): void {
    this.write(text);
  }

  update(state: SolveState): void {
    for (const v of state.steps()) {
      if (v.started && !this.announced.has(v.id)) {
        this.announced.add(v.id);
        if (!v.completed || !v.cached) this.write(`=> ${truncate(v.name, 160)}`);
      }
      if (v.completed && !this.finished.has(v.id)) {
        this.finished.add(v.id);
        if (v.error) this.write(`   ${pc.red('ERROR')} ${truncate(v.name, 120)}: ${v.error}`);
        else if (v.cached) this.write(`=> CACHED ${truncate(v.name, 150)}`);
        else if (v.started)
          this.write(
            `   done ${truncate(stepInstruction(v.name), 60)} in ${secs(v.completed.getTime() - v.started.getTime())}`,
          );
      }
    }
  }

  done(state: SolveState, ok: boolean): void {
    this.update(state);
    const steps = state.steps();
    this.write(
      `${ok ? 'build finished' : 'build failed'}: ${steps.length} steps, ${state.cachedSteps().length} cached, ${clock(Date.now() - this.t0)}`,
    );
  }
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

class TtyView implements ProgressView {
  private readonly t0 = Date.now();
  private frame = 0;
  private last = 0;
  private timer: NodeJS.Timeout;
  private state: SolveState | null = null;

  constructor(
    private readonly log: ((...text: string[]) => void) & { done(): void; clear(): void },
    private readonly out: NodeJS.WritableStream,
    private readonly label: string,
  ) {
    // redraw the clock even when the engine is silent (a long RUN without output)
    this.timer = setInterval(() => this.render(), 250);
    this.timer.unref();
  }

  note(text: string): void {
    this.log.clear();
    this.out.write(`${text}\n`);
    this.render();
  }

  update(state: SolveState): void {
    this.state = state;
    if (Date.now() - this.last > 80) this.render();
  }

  private render(): void {
    this.last = Date.now();
    const s = this.state;
    const elapsed = clock(Date.now() - this.t0);
    if (!s) {
      this.log(
        `${FRAMES[this.frame++ % FRAMES.length]} ${this.label}starting the engine… ${pc.dim(elapsed)}`,
      );
      return;
    }
    const steps = s.steps();
    const done = steps.filter((v) => v.completed).length;
    const cached = s.cachedSteps().length;
    const cur: Vertex | undefined = s.current();
    const width = (this.out as NodeJS.WriteStream).columns ?? 100;
    const lines = [
      `${pc.cyan(FRAMES[this.frame++ % FRAMES.length] ?? '')} ${this.label}${truncate(cur?.name ?? 'preparing', width - 20)}`,
      pc.dim(`  ${done}/${steps.length} steps · ${cached} cached · ${elapsed}`),
    ];
    const tail = cur?.logs[cur.logs.length - 1];
    if (tail) lines.push(pc.dim(`  ${truncate(tail, width - 4)}`));
    this.log(lines.join('\n'));
  }

  done(state: SolveState, ok: boolean): void {
    clearInterval(this.timer);
    this.state = state;
    const steps = state.steps();
    const cached = state.cachedSteps().length;
    const mark = ok ? pc.green('✔') : pc.red('✖');
    this.log(
      `${mark} ${this.label}${ok ? 'built' : 'failed'}: ${steps.length} steps, ${cached} cached, ${clock(Date.now() - this.t0)}`,
    );
    this.log.done();
  }
}
