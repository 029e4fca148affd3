import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `npm test`: runs every compiled test file under dist/test with Node's test runner. Node 20's
 * runner takes no glob patterns, so the files are listed here. Extra arguments are passed on
 * (e.g. `npm test -- --test-name-pattern=ingest`).
 */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const root = join(__dirname, '..', 'test');
const files = testFiles(root)
  .map((file) => relative(process.cwd(), file))
  .sort();
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
