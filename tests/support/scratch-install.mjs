// The packed package (dist/ through `npm pack`) installed into a new scratch project, as a
// user would get it from the registry. Offline: the package has no dependencies.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './wasm-pkg.mjs';

/**
 * Returns the scratch directory and the tarball's size in bytes. `parent` is where the
 * project is made (default: the system's temp folder); `lockfile: false` leaves no
 * package-lock.json, so that tools looking for the workspace root go on up to the parent's.
 */
export function installPackedPackage(prefix = 'x402-scratch-', { parent = tmpdir(), lockfile = true } = {}) {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, prefix));
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  run('npm', ['pack', path.join(repoRoot, 'dist'), '--pack-destination', dir, '--silent']);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--offline', ...(lockfile ? [] : ['--no-package-lock']), `./${tarball}`]);
  return { dir, run, tarballBytes: statSync(path.join(dir, tarball)).size };
}
