import { describe, expect, it } from 'vitest';
import { fileNameOf, isPureWheel, parseWheelName, wheelFits } from './wheels.js';

describe('wheel file names', () => {
  it('parses tags, including compressed tag sets and build numbers', () => {
    expect(parseWheelName('numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toEqual(
      {
        name: 'numpy',
        version: '1.26.4',
        python: ['cp312'],
        abi: ['cp312'],
        platform: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'],
      },
    );
    expect(parseWheelName('foo-1.0-1-py2.py3-none-any.whl')?.python).toEqual(['py2', 'py3']);
    expect(parseWheelName('foo-1.0.tar.gz')).toBeNull();
    expect(parseWheelName('broken.whl')).toBeNull();
  });

  it('decides whether a wheel installs on CPython X.Y, glibc Linux', () => {
    const cases: [string, string, boolean][] = [
      ['six-1.16.0-py2.py3-none-any.whl', '3.12', true],
      ['numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', '3.12', true],
      ['numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', '3.11', false],
      ['numpy-1.26.4-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', '3.12', false],
      ['numpy-1.26.4-cp312-cp312-musllinux_1_1_x86_64.whl', '3.12', false],
      ['numpy-1.26.4-cp312-cp312-win_amd64.whl', '3.12', false],
      ['numpy-1.26.4-cp312-cp312-macosx_11_0_arm64.whl', '3.12', false],
      ['cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl', '3.12', true],
      ['cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl', '3.8', false],
      // glibc newer than Debian bookworm's 2.36
      ['x-1.0-cp312-cp312-manylinux_2_39_x86_64.whl', '3.12', false],
      ['x-1.0-cp36-cp36m-manylinux1_x86_64.whl', '3.6', true],
      // the local test index repacks Debian builds as linux_x86_64: pip installs them on Linux
      ['MarkupSafe-2.1.2-cp311-cp311-linux_x86_64.whl', '3.11', true],
      ['tomli-2.0.1-py3-none-any.whl', '3.11', true],
      ['typing-1.0-py310-none-any.whl', '3.12', true],
      ['typing-1.0-py313-none-any.whl', '3.12', false],
    ];
    for (const [file, py, ok] of cases)
      expect(`${file} ${py} ${wheelFits(file, py)}`).toBe(`${file} ${py} ${ok}`);
    expect(
      wheelFits(
        'numpy-1.26.4-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl',
        '3.12',
        'aarch64',
      ),
    ).toBe(true);
  });

  it('knows pure wheels and file names out of URLs', () => {
    expect(isPureWheel('six-1.16.0-py2.py3-none-any.whl')).toBe(true);
    expect(isPureWheel('numpy-1.26.4-cp312-cp312-manylinux2014_x86_64.whl')).toBe(false);
    expect(fileNameOf('https://files.example.com/p/a/Flask-2.2.2-py3-none-any.whl#sha256=abc')).toBe(
      'Flask-2.2.2-py3-none-any.whl',
    );
    expect(fileNameOf('https://x/y/my%2Bpkg-1.0.tar.gz?x=1')).toBe('my+pkg-1.0.tar.gz');
  });
});
