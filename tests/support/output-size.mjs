// What a build ships: every file under a folder, counted raw and at gzip -9 (each file
// compressed on its own, as a server would send it). Shared by the bundler tests and
// `npm run size`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const gzipBytes = (buf) => gzipSync(buf, { level: 9 }).length;

/** Every file under `dir`, recursively. */
export function allFiles(dir) {
  return readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? allFiles(path.join(dir, f)) : [path.join(dir, f)]));
}

/** `{ files, raw, gzip }` of everything under `dir`. */
export function outputSize(dir) {
  const files = allFiles(dir).map((f) => readFileSync(f));
  return { files: files.length, raw: files.reduce((n, b) => n + b.length, 0), gzip: files.reduce((n, b) => n + gzipBytes(b), 0) };
}
