import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeZip } from './testing.js';
import { installWheel, launcherText, parseEntryPoints } from './wheel.js';
import { readZip } from './zip.js';

const venv = {
  root: 'opt/venv',
  pythonDir: 'python3.11',
  shebang: '/opt/venv/bin/python',
  installer: 'pycontain',
};
const h = (s: string) => `sha256=${createHash('sha256').update(s).digest('base64url')}`;

function wheel(extra: Array<{ name: string; data: string; mode?: number }> = [], record?: string) {
  const files = [
    { name: 'demo/__init__.py', data: 'X = 1\n' },
    { name: 'demo/_speed.so', data: '\x7fELF', mode: 0o755 },
    { name: 'demo/tests/test_x.py', data: 'def test(): pass\n' },
    { name: 'demo-1.0.data/scripts/tool', data: '#!python\nprint(1)\n' },
    { name: 'demo-1.0.data/data/share/demo/x.txt', data: 'x' },
    { name: 'demo-1.0.data/headers/demo.h', data: '/* h */' },
    { name: 'demo-1.0.dist-info/METADATA', data: 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n' },
    {
      name: 'demo-1.0.dist-info/WHEEL',
      data: 'Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n',
    },
    {
      name: 'demo-1.0.dist-info/entry_points.txt',
      data: '[console_scripts]\ndemo = demo.cli:main\ndemo-sub = demo.cli:App.run [extra]\n\n[other]\nx = y:z\n',
    },
    ...extra,
  ];
  const rec =
    record ??
    `${files.map((f) => `${f.name},${h(f.data)},${Buffer.byteLength(f.data)}`).join('\n')}\ndemo-1.0.dist-info/RECORD,,\n`;
  return makeZip([...files, { name: 'demo-1.0.dist-info/RECORD', data: rec }]);
}

describe('readZip', () => {
  it('reads stored and deflated members with their Unix modes', () => {
    const z = makeZip([
      { name: 'a.txt', data: 'stored', store: true },
      { name: 'b/c.so', data: 'deflated '.repeat(50), mode: 0o755 },
    ]);
    const m = readZip(z, 'x.whl');
    expect(m.map((x) => [x.name, x.unixMode, x.data().toString().slice(0, 8)])).toEqual([
      ['a.txt', 0o644, 'stored'],
      ['b/c.so', 0o755, 'deflated'],
    ]);
  });

  it('names the file when it is not a zip', () => {
    expect(() => readZip(Buffer.from('not a zip at all, really not'), 'bad.whl')).toThrow(
      /bad\.whl: not a zip/,
    );
  });
});

describe('installWheel', () => {
  const sp = 'opt/venv/lib/python3.11/site-packages';
  const res = installWheel(wheel(), 'demo-1.0-cp311-cp311-linux_x86_64.whl', venv, {
    requested: true,
    drop: (p) => p.startsWith('demo/tests/'),
  });
  const byPath = new Map(res.entries.map((e) => [e.path, e]));

  it('spreads .data schemes to bin, include/site and the venv root', () => {
    expect(byPath.has(`${sp}/demo/__init__.py`)).toBe(true);
    expect(byPath.get('opt/venv/bin/tool')?.data?.toString()).toBe('#!/opt/venv/bin/python\nprint(1)\n');
    expect(byPath.get('opt/venv/bin/tool')?.mode).toBe(0o755);
    expect(byPath.has('opt/venv/share/demo/x.txt')).toBe(true);
    expect(byPath.has('opt/venv/include/site/python3.11/demo/demo.h')).toBe(true);
  });

  it('keeps modes from the zip, 0644 or 0755', () => {
    expect(byPath.get(`${sp}/demo/_speed.so`)?.mode).toBe(0o755);
    expect(byPath.get(`${sp}/demo/__init__.py`)?.mode).toBe(0o644);
  });

  it("writes pip's console-script launchers with the venv interpreter", () => {
    expect(byPath.get('opt/venv/bin/demo')?.data?.toString()).toBe(
      launcherText('/opt/venv/bin/python', 'demo.cli', 'main'),
    );
    expect(byPath.get('opt/venv/bin/demo-sub')?.data?.toString()).toContain('from demo.cli import App\n');
    expect(byPath.get('opt/venv/bin/demo-sub')?.data?.toString()).toContain('sys.exit(App.run())');
  });

  it('writes INSTALLER, REQUESTED and a RECORD of what was installed', () => {
    expect(byPath.get(`${sp}/demo-1.0.dist-info/INSTALLER`)?.data?.toString()).toBe('pycontain\n');
    expect(byPath.has(`${sp}/demo-1.0.dist-info/REQUESTED`)).toBe(true);
    const record = byPath.get(`${sp}/demo-1.0.dist-info/RECORD`)?.data?.toString() ?? '';
    expect(record).toContain(
      `../../../bin/demo,${h(launcherText('/opt/venv/bin/python', 'demo.cli', 'main'))},`,
    );
    expect(record).toContain('demo-1.0.dist-info/RECORD,,');
    expect(record).not.toContain('demo/tests/');
    expect(byPath.has(`${sp}/demo/tests/test_x.py`)).toBe(false);
  });

  it('refuses a file that does not match the wheel RECORD', () => {
    const bad = wheel([], `demo/__init__.py,${h('other')},5\n`);
    expect(() => installWheel(bad, 'demo-1.0-py3-none-any.whl', venv, { requested: false })).toThrow(
      /demo\/__init__\.py does not match/,
    );
  });

  it('refuses a newer major Wheel-Version and a member escaping the venv', () => {
    const v2 = makeZip([
      { name: 'd-1.dist-info/WHEEL', data: 'Wheel-Version: 2.0\n' },
      { name: 'd-1.dist-info/METADATA', data: 'Name: d\nVersion: 1\n' },
    ]);
    expect(() => installWheel(v2, 'd-1-py3-none-any.whl', venv, { requested: false })).toThrow(
      /Wheel-Version 2\.0/,
    );
    const esc = makeZip([
      { name: 'd-1.dist-info/WHEEL', data: 'Wheel-Version: 1.0\n' },
      { name: 'd-1.data/data/../../../etc/x', data: 'x' },
    ]);
    expect(() => installWheel(esc, 'd-1-py3-none-any.whl', venv, { requested: false })).toThrow();
  });
});

describe('parseEntryPoints', () => {
  it('reads sections, ignores comments and extras', () => {
    const eps = parseEntryPoints('# c\n[console_scripts]\na = m.n:f [x]\nb=m:g\n[gui_scripts]\nc = k:h\n');
    expect(eps.get('console_scripts')).toEqual([
      { name: 'a', module: 'm.n', attr: 'f' },
      { name: 'b', module: 'm', attr: 'g' },
    ]);
    expect(eps.get('gui_scripts')?.[0]?.name).toBe('c');
  });
});
