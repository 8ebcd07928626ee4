import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { detectPlan } from '../../engine/project.js';
import { loadIntoEngine, writeDockerArchive, writeOciLayout } from '../../pack/image.js';
import { pack } from '../../pack/pack.js';
import { parseRegistryRef, pushImage } from '../../pack/registry.js';
import { defaultCacheDir } from '../../pack/store.js';
import { InputError, type Overrides } from '../../plan.js';
import { exists } from '../../util/fs.js';
import { runCommand } from '../errors.js';
import { defaultTag } from './build.js';

function parseOutput(v: string): { kind: 'oci' | 'docker-archive' | 'registry'; path: string } {
  if (v.startsWith('oci:')) return { kind: 'oci', path: v.slice(4) };
  if (v.startsWith('docker-archive:')) return { kind: 'docker-archive', path: v.slice(15) };
  if (v.startsWith('registry:')) {
    parseRegistryRef(v.slice(9));
    return { kind: 'registry', path: v.slice(9) };
  }
  throw new InputError(`--output ${v}: expected oci:DIR, docker-archive:FILE or registry:HOST/NAME[:TAG]`);
}

export function registerPack(program: Command): void {
  program
    .command('pack')
    .description(
      'Build the image the generated Dockerfile describes without a container engine: base layers reused, wheels from the lock installed into /opt/venv, the app copied; deterministic and cached.',
    )
    .argument('[dir]', 'project directory', '.')
    .option(
      '--base-image <ref>',
      "base image: docker:REF (local engine), oci:DIR, docker-archive:FILE, or an engine reference (default: the plan's runtime image)",
    )
    .option('--index-url <url>', 'package index (PEP 503/691) for wheels the lock does not give a URL for')
    .option('--debian <codename>', 'Debian release of the base image, when its tag does not name it')
    .option('--python <X.Y>', 'Python version')
    .option('--distroless', 'the base is distroless (no shell, Debian interpreter, user 65532)', false)
    .option(
      '--output <spec>',
      'oci:DIR, docker-archive:FILE or registry:HOST/NAME[:TAG] (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    )
    .option('-t, --tag <name>', 'image name:tag written in the outputs (default <project>:latest)')
    .option(
      '--insecure',
      'plain HTTP to the registry of --output registry: (always for 127.0.0.1, localhost)',
      false,
    )
    .option('--load', 'load the image into the local engine (docker load)', false)
    .option('--cache-dir <dir>', 'layer and blob cache (default: $XDG_CACHE_HOME/pycontain/pack)')
    .option('--wheelhouse <dir>', 'prebuilt wheels for packages the lock has only an sdist of')
    .option('--update-lock', `re-resolve the base and wheels pinned in pycontain.lock.json`, false)
    .option('--app-dir <path>', 'the Python app inside a monorepo')
    .option('--json', 'print the result as JSON', false)
    .action(async (dir, opts) => {
      await runCommand(
        async () => {
          const started = performance.now();
          const root = path.resolve(dir);
          if (!(await exists(root))) throw new InputError(`no such directory: ${dir}`);
          const outputs = opts.output.map(parseOutput);
          const overrides: Overrides = {};
          if (opts.python) overrides.pythonVersion = opts.python;
          if (opts.baseImage) overrides.baseImage = opts.baseImage.replace(/^(docker|docker-daemon):/, '');
          if (opts.indexUrl) overrides.indexUrl = opts.indexUrl;
          if (opts.debian) overrides.debian = opts.debian;
          if (opts.appDir) overrides.appDir = opts.appDir;
          if (opts.distroless) overrides.distroless = true;
          // An oci:/docker-archive: base is not an image name the plan can reason about.
          if (overrides.baseImage && /^(oci|docker-archive):/.test(overrides.baseImage))
            delete overrides.baseImage;
          const plan = await detectPlan(root, overrides);
          const base = opts.baseImage ?? `docker:${plan.image.runtime}`;
          const tag = opts.tag ?? defaultTag(plan.projectName ?? path.basename(root));
          const log = (l: string) => {
            if (!opts.json) process.stderr.write(`${l}\n`);
          };
          const res = await pack(plan, {
            base,
            tag: tag.includes(':') ? tag : `${tag}:latest`,
            cacheDir: path.resolve(opts.cacheDir ?? defaultCacheDir()),
            wheelhouse: opts.wheelhouse,
            updateLock: opts.updateLock,
            log,
          });
          const pushed: Awaited<ReturnType<typeof pushImage>>[] = [];
          for (const o of outputs) {
            if (o.kind === 'registry') {
              const p = await pushImage(res.store, res.image, parseRegistryRef(o.path), {
                insecure: opts.insecure,
              });
              pushed.push(p);
              log(
                `pushed ${p.reference}@${p.digest} (${p.uploaded} blobs uploaded, ${p.skipped} already there)`,
              );
              continue;
            }
            if (o.kind === 'oci') await writeOciLayout(res.store, res.image, path.resolve(o.path));
            else await writeDockerArchive(res.store, res.image, path.resolve(o.path));
            log(`wrote ${o.kind}:${o.path}`);
          }
          if (opts.load) log((await loadIntoEngine(res.store, res.image)) || 'loaded');
          const seconds = (performance.now() - started) / 1000;
          const summary = {
            tag: res.image.tag,
            imageId: res.image.config.digest,
            manifest: res.image.manifest.digest,
            epoch: res.epoch,
            lockFile: path.relative(process.cwd(), res.lockFile) || res.lockFile,
            lockChanged: res.lockChanged,
            layers: res.layers.map((l) => ({
              name: l.name,
              digest: l.descriptor.digest,
              diffId: l.diffId,
              size: l.descriptor.size,
              cached: l.cached,
            })),
            pushed,
            seconds: Math.round(seconds * 1000) / 1000,
          };
          if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
          else {
            for (const l of summary.layers)
              log(
                `  ${l.name.padEnd(5)} ${l.digest.slice(7, 19)} ${(l.size / 1024).toFixed(1).padStart(9)} KiB${l.cached ? ' (cached)' : ''}`,
              );
            log(`${res.image.tag}: image ID ${res.image.config.digest} in ${seconds.toFixed(2)} s`);
          }
          return 0;
        },
        { projectDir: dir },
      );
    });
}
