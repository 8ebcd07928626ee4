import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseProgressMode, createProgressView } from './progress.js';
import { SolveState } from './progress-model.js';

class Sink extends Writable {
  text = '';
  isTTY: boolean;
  columns = 100;
  rows = 40;
  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function sampleState(): SolveState {
  const s = new SolveState();
  const t = (sec: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, sec));
  const a = s.vertex('a', '[builder 1/4] FROM pycontain.test/python:3.11-slim');
  a.started = t(0);
  a.completed = t(0);
  a.cached = true;
  const b = s.vertex('b', '[builder 2/4] RUN pip install -r requirements.txt');
  b.started = t(0);
  b.completed = t(0);
  b.cached = true;
  const c = s.vertex('c', '[builder 3/4] COPY . /app/');
  c.started = t(1);
  c.completed = t(2);
  const d = s.vertex('d', '[builder 4/4] RUN python -m compileall /app');
  d.started = t(2);
  s.addLog('d', 'Listing /app...\n');
  return s;
}

describe('progress views', () => {
  it('plain: one line per step start and end, CACHED steps named, a summary', async () => {
    const out = new Sink(false);
    const view = await createProgressView('plain', out);
    const s = sampleState();
    view.update(s);
    s.vertex('d').completed = new Date(Date.UTC(2026, 0, 1, 0, 0, 5));
    view.done(s, true);
    expect(out.text).toContain('=> CACHED [builder 2/4] RUN pip install -r requirements.txt');
    expect(out.text).toContain('=> [builder 3/4] COPY . /app/');
    expect(out.text).toContain('done COPY . /app/ in 1.0s');
    expect(out.text).toContain('done RUN python -m compileall /app in 3.0s');
    expect(out.text).toMatch(/build finished: 4 steps, 2 cached, 00:0\d/);
    // each step announced once
    expect(out.text.match(/=> \[builder 3\/4\]/g)).toHaveLength(1);
  });

  it('tty: a live view with the current step, counts and its last output line', async () => {
    const out = new Sink(true);
    const view = await createProgressView('tty', out);
    const s = sampleState();
    view.update(s);
    expect(out.text).toContain('[builder 4/4] RUN python -m compileall /app');
    expect(out.text).toContain('3/4 steps · 2 cached');
    expect(out.text).toContain('Listing /app...');
    view.done(s, false);
    expect(out.text).toContain('failed: 4 steps, 2 cached');
  });

  it('chooses plain output in CI and off a TTY', () => {
    const tty = new Sink(true) as unknown as NodeJS.WriteStream;
    const pipe = new Sink(false) as unknown as NodeJS.WriteStream;
    expect(chooseProgressMode(undefined, tty, {})).toBe('tty');
    expect(chooseProgressMode(undefined, tty, { CI: 'true' })).toBe('plain');
    expect(chooseProgressMode(undefined, pipe, {})).toBe('plain');
    expect(chooseProgressMode('quiet', tty, {})).toBe('quiet');
  });
});
