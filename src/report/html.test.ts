import { describe, expect, it } from 'vitest';
import type { AnalysisReport } from '../image/analyze.js';
import { renderAnalyzeText } from './analyze.js';
import { esc, renderAnalyzeHtml, squarify } from './html.js';

const evil = '<script>alert("x")</script>&\'';

function report(): AnalysisReport {
  return {
    schemaVersion: 1,
    image: {
      name: evil,
      format: 'oci-layout',
      tags: [],
      configDigest: 'sha256:abc',
      os: 'linux',
      architecture: 'amd64',
      entrypoint: null,
      cmd: null,
      pycontain: null,
    },
    size: { total: 3000, visible: 2000, waste: 1000, efficiency: 2 / 3, blobs: 1500, tar: 4096 },
    layers: [
      {
        index: 0,
        digest: null,
        diffId: null,
        createdBy: `RUN echo ${evil}`,
        emptyBefore: [],
        size: 2500,
        files: 3,
        tarSize: 3072,
        blobSize: 1000,
        compression: 'gzip',
        wasteAdded: 1000,
        wasteHidden: 0,
      },
      {
        index: 1,
        digest: null,
        diffId: null,
        createdBy: null,
        emptyBefore: [],
        size: 500,
        files: 1,
        tarSize: 1024,
        blobSize: 500,
        compression: 'none',
        wasteAdded: 0,
        wasteHidden: 1000,
      },
    ],
    history: [],
    waste: {
      total: 1000,
      byCause: { overwritten: 0, deleted: 1000, opaque: 0, attributes: 0 },
      groups: [{ root: `/${evil}`, cause: 'deleted', bytes: 1000, files: 1, addedBy: 0, hiddenBy: 1 }],
    },
    python: {
      environments: [],
      distributions: [
        {
          name: evil,
          version: '1',
          key: 'x',
          sitePackages: '/sp',
          venv: null,
          bytes: 10,
          files: 1,
          layer: 0,
          sizedFrom: 'RECORD',
        },
      ],
    },
    native: {
      checked: 1,
      missing: [
        {
          soname: 'libblas.so.3',
          neededBy: ['/sp/x.so'],
          distributions: ['numpy 1'],
          debianPackage: 'libblas3',
          reason: 'missing',
        },
      ],
    },
    user: { configured: '', name: 'root', uid: 0, root: true, numeric: true },
    tree: {
      name: '/',
      bytes: 2000,
      children: [
        {
          name: evil,
          bytes: 1500,
          children: [
            { name: 'a', bytes: 1000 },
            { name: 'b', bytes: 500 },
          ],
        },
        { name: 'usr', bytes: 500 },
      ],
    },
    findings: [
      {
        id: 'root-user',
        severity: 'warning',
        title: evil,
        bytes: 0,
        wastedBytes: 0,
        paths: [],
        layers: [],
        detail: evil,
        fix: evil,
      },
    ],
    warnings: [evil],
  };
}

describe('HTML report', () => {
  it('escapes every piece of image-controlled text', () => {
    const html = renderAnalyzeHtml(report());
    expect(html).not.toContain('<script>');
    expect(html).toContain(esc(evil));
    expect(esc(evil)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });

  it('is one self-contained page: no script, no external resource, inline SVG charts', () => {
    const html = renderAnalyzeHtml(report());
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('libblas3');
  });

  it('squarified treemap tiles the rectangle exactly', () => {
    const rects = squarify([500, 300, 100, 60, 40], { x: 0, y: 0, w: 400, h: 250 });
    const area = rects.reduce((a, r) => a + r.w * r.h, 0);
    expect(area).toBeCloseTo(400 * 250, 3);
    for (const r of rects) {
      expect(r.x).toBeGreaterThanOrEqual(-1e-9);
      expect(r.y).toBeGreaterThanOrEqual(-1e-9);
      expect(r.x + r.w).toBeLessThanOrEqual(400 + 1e-6);
      expect(r.y + r.h).toBeLessThanOrEqual(250 + 1e-6);
    }
    expect(rects[0]!.w * rects[0]!.h).toBeCloseTo((500 / 1000) * 400 * 250, 3);
  });
});

describe('text report', () => {
  it('shows sizes, layers, waste, distributions, missing libraries and findings', () => {
    const text = renderAnalyzeText(report());
    expect(text).toContain('waste 1.00 kB (33.3%)');
    expect(text).toContain('libblas.so.3 (apt: libblas3) needed by numpy 1');
    expect(text).toContain('warning root-user');
    expect(text).toContain('(unknown)');
    expect(text).not.toMatch(/\x1b\[/);
    expect(text).not.toContain('Made by pycontain');
  });

  it('names what the io.pycontain.* labels say about an image pycontain generated', () => {
    const r = report();
    r.image.pycontain = { framework: 'flask', packageManager: 'pip', port: '8000' };
    expect(renderAnalyzeText(r)).toContain('Made by pycontain: flask app, pip, port 8000');
  });
});
