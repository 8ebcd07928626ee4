import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDockerignore } from '../dockerfile/dockerignore.js';
import { renderDockerfile } from '../dockerfile/render.js';
import { detectProject } from '../project/detect.js';
import { lintText } from './engine.js';
import { loadProject } from './project.js';

// pycontain's own generator must pass pycontain's own linter: every example project, slim and
// distroless, with the project beside the Dockerfile (project-aware rules on).
const examples = path.join(process.cwd(), 'examples');
const root = mkdtempSync(path.join(tmpdir(), 'pycontain-lint-gen-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const names = readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('generated Dockerfiles lint clean of errors', () => {
  for (const name of names) {
    it(name, async () => {
      const dir = mkdtempSync(path.join(root, `${name}-`));
      cpSync(path.join(examples, name), dir, { recursive: true });
      let plan: Awaited<ReturnType<typeof detectProject>>;
      try {
        plan = await detectProject(dir);
      } catch {
        return; // not a single-app project (e.g. a monorepo root): detect's own tests cover it
      }
      const variants: [string, string][] = [['slim', renderDockerfile(plan)]];
      try {
        variants.push(['distroless', renderDockerfile(await detectProject(dir, { distroless: true }))]);
      } catch {
        // distroless refused for this Python version: nothing to lint
      }
      writeFileSync(path.join(dir, '.dockerignore'), renderDockerignore(plan, null));
      for (const [variant, text] of variants) {
        writeFileSync(path.join(dir, 'Dockerfile'), text);
        const { project } = await loadProject(path.join(dir, 'Dockerfile'));
        const r = lintText(text, { file: `${name} (${variant})`, project });
        const errors = r.findings
          .filter((f) => f.severity === 'error')
          .map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);
        expect(errors, `${name} (${variant})`).toEqual([]);
        expect(r.notes.filter((n) => n.includes('internal error'))).toEqual([]);
      }
    });
  }
});
