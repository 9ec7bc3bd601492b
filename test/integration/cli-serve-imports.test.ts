/**
 * What `benchboot serve` loads before it serves: its command line registers serve alone,
 * and the root parent of `sudo serve` (which only binds sockets and starts the serving
 * process) loads none of the serving code: no other command's module, no fastify, no
 * LiquidJS, no appliance, web or HTTP server. Checked by the module URLs a resolve hook
 * records in a child process, which is what decides the parent's memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

/** Runs benchboot with `args` and returns the file URLs it loaded. */
async function loadedBy(args: readonly string[], cwd: string): Promise<{ urls: string[]; status: number | null; stderr: string }> {
  const trace = join(cwd, 'trace.txt');
  const hooks = join(cwd, 'hooks.mjs');
  const register = join(cwd, 'register.mjs');
  await writeFile(trace, '');
  await writeFile(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  if (r.url.startsWith('file:')) appendFileSync(${JSON.stringify(trace)}, r.url + '\\n');\n  return r;\n}\n`);
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { urls: (await readFile(trace, 'utf8')).split('\n').filter(Boolean), status: r.status, stderr: r.stderr };
}

const HEAVY = [/\/node_modules\/fastify\//, /\/node_modules\/liquidjs\//, /\/dist\/src\/appliance\/appliance\.js$/, /\/dist\/src\/web\//, /\/dist\/src\/http\/server\.js$/, /\/dist\/src\/cli\/(scope|device|devices|report|render|leases|status|probe|profile|reload|tftp|doctor)\.js$/];

function heavyIn(urls: readonly string[]): string[] {
  return urls.filter((u) => HEAVY.some((h) => h.test(u)));
}

test('serve --help registers serve alone, status --help status alone: no other command, no server code is loaded', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-imports-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await loadedBy(['serve', '--help'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.urls.some((u) => u.endsWith('/dist/src/cli/serve.js')), 'serve was registered');
  assert.deepEqual(heavyIn(r.urls), []);
  // Every command loads alone: status loads neither serve nor a server.
  const status = await loadedBy(['status', '--help'], dir);
  assert.equal(status.status, 0, status.stderr);
  assert.ok(!status.urls.some((u) => u.endsWith('/dist/src/cli/serve.js')), 'status does not load serve');
  assert.deepEqual(heavyIn(status.urls).filter((u) => !u.endsWith('/dist/src/cli/status.js')), []);
  // A command line that starts with no command registers every command (help lists them, a mistyped name gets a suggestion).
  const all = await loadedBy(['--help'], dir);
  assert.ok(all.urls.some((u) => u.endsWith('/dist/src/cli/scope.js')), 'the scope command is registered for --help');
});

test('the root parent of sudo serve loads none of the serving code', { skip: isRoot ? false : 'needs root: the parent runs only under sudo' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-imports-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // Refused by the parent's own checks (no such interface), before any serving process starts.
  const r = await loadedBy(['serve', '--interface', 'bbnosuch0', '--tftp-root', dir, '--leases', join(dir, 'state')], dir);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /bbnosuch0/);
  assert.ok(r.urls.some((u) => u.endsWith('/dist/src/priv/parent.js')), 'the parent path ran');
  assert.deepEqual(heavyIn(r.urls), []);
});
