import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { launchPrograms } from '../project/command-check.js';
import { baseImagesData } from '../project/images.js';
import { nativeTable } from '../project/native.js';
import { packageTestsTable } from '../project/package-tests.js';
import { pythonCeilingsTable } from '../project/python-ceilings.js';
import { pythonReleases } from '../project/python-releases.js';
import { runtimeDriversTable } from '../project/runtime-extras.js';
import { aptReleases } from './apt-releases.js';
import { DataTableError, dataFile, handSchema, parseData } from './data.js';

describe('parseData', () => {
  const Schema = z.object({ packages: z.array(z.object({ name: z.string() })) });

  it('names the table and the path of the bad field', () => {
    expect(() => parseData('t.json', '{"packages":[{"name":1}]}', Schema)).toThrow(
      /^data\/t\.json: packages\.0\.name: /,
    );
    expect(() => parseData('t.json', '{"packages":', Schema)).toThrow(/^data\/t\.json: not JSON/);
  });

  it("a check's error is the table's too, and its result is what callers get", () => {
    const names = (d: z.output<typeof Schema>) => {
      const seen = new Set<string>();
      for (const p of d.packages) {
        if (seen.has(p.name)) throw new Error(`duplicate entry ${p.name}`);
        seen.add(p.name);
      }
      return seen;
    };
    expect(parseData('t.json', '{"packages":[{"name":"a"}]}', Schema, names)).toEqual(new Set(['a']));
    const err = (() => {
      try {
        parseData('t.json', '{"packages":[{"name":"a"},{"name":"a"}]}', Schema, names);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DataTableError);
    expect((err as Error).message).toBe('data/t.json: duplicate entry a');
  });

  it('hand-written schemas (tables of the lint bundle, which has no zod) report the same way', () => {
    const S = handSchema<{ a: string }>((d) =>
      typeof (d as { a?: unknown }).a === 'string' ? null : [['a'], 'expected a string'],
    );
    expect(parseData('h.json', '{"a":"x"}', S)).toEqual({ a: 'x' });
    expect(() => parseData('h.json', '{"a":2}', S)).toThrow('data/h.json: a: expected a string');
  });
});

describe('every table in data/ loads through loadData and validates', () => {
  // frameworks.json and launchers.json are loaded by framework.ts / launcher-data.ts (their own tests).
  const loaders: Record<string, () => unknown> = {
    'apt-releases.json': aptReleases,
    'base-images.json': baseImagesData,
    'launch-programs.json': launchPrograms,
    'native-packages.json': nativeTable,
    'package-tests.json': packageTestsTable,
    'python-ceilings.json': pythonCeilingsTable,
    'python-releases.json': pythonReleases,
    'runtime-drivers.json': runtimeDriversTable,
  };
  it.each(Object.keys(loaders))('%s', (name) => {
    expect(loaders[name]!()).toBeTruthy();
  });
  it('names a loader for each table (a new table gets one)', () => {
    const tables = readdirSync(dataFile('.')).filter((f) => f.endsWith('.json'));
    expect(
      tables.filter((t) => !(t in loaders) && t !== 'frameworks.json' && t !== 'launchers.json'),
    ).toEqual([]);
  });
});
