import { describe, expect, it } from 'vitest';
import { platforms, tagRanks, wheelRank } from './tags.js';

const bookworm = { python: '3.11', glibc: [2, 36] as [number, number], arch: 'x86_64' as const };

describe('wheel tag priority', () => {
  const ranks = tagRanks(bookworm);
  const rank = (f: string) => wheelRank(f, ranks);

  it('orders platforms from the newest glibc down, legacy aliases in place, linux_ last', () => {
    const p = platforms(bookworm);
    expect(p[0]).toBe('manylinux_2_36_x86_64');
    expect(p.indexOf('manylinux2014_x86_64')).toBe(p.indexOf('manylinux_2_17_x86_64') + 1);
    expect(p.at(-1)).toBe('linux_x86_64');
  });

  it('prefers the CPython ABI, then abi3, then pure wheels', () => {
    const cp = rank('greenlet-2.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    const abi3 = rank('cryptography-41.0.0-cp37-abi3-manylinux_2_28_x86_64.whl');
    const pure = rank('flask-2.2.2-py3-none-any.whl');
    expect(cp).not.toBeNull();
    expect(cp as number).toBeLessThan(abi3 as number);
    expect(abi3 as number).toBeLessThan(pure as number);
  });

  it('prefers a newer manylinux over an older one, and both over linux_x86_64', () => {
    const a = rank('x-1-cp311-cp311-manylinux_2_28_x86_64.whl') as number;
    const b = rank('x-1-cp311-cp311-manylinux2014_x86_64.whl') as number;
    const c = rank('x-1-cp311-cp311-linux_x86_64.whl') as number;
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(c);
  });

  it('refuses wheels for another Python, a newer glibc, another arch or musl', () => {
    expect(rank('x-1-cp312-cp312-manylinux_2_17_x86_64.whl')).toBeNull();
    expect(rank('x-1-cp311-cp311-manylinux_2_39_x86_64.whl')).toBeNull();
    expect(rank('x-1-cp311-cp311-manylinux_2_17_aarch64.whl')).toBeNull();
    expect(rank('x-1-cp311-cp311-musllinux_1_1_x86_64.whl')).toBeNull();
    expect(rank('x-1-cp312-abi3-manylinux_2_17_x86_64.whl')).toBeNull();
    expect(rank('x-1.tar.gz')).toBeNull();
  });
});
