#!/usr/bin/env node
// Runs benchboot's test layers with Node's built-in test runner on the compiled
// tests in dist/test: unit and integration files in parallel, then e2e files one
// at a time (they build network namespaces and start real clients). Prints one
// closing line "N passed, N failed, N skipped" over all layers.
//
//   node test/run.js                 all layers
//   node test/run.js unit integration  some layers
//   node test/run.js dist/test/unit/net/ipv4.test.js   given files
import { spawn } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const layers = ['unit', 'integration', 'e2e'];

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function runNodeTest(files, concurrency) {
  return new Promise((resolve) => {
    const args = ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on('close', (code, signal) => {
      const count = (key) => {
        const m = [...tail.matchAll(new RegExp(`ℹ ${key} (\\d+)`, 'g'))].pop();
        return m ? Number(m[1]) : 0;
      };
      resolve({ code: code ?? (signal ? 1 : 0), pass: count('pass'), fail: count('fail'), skipped: count('skipped') + count('todo') });
    });
  });
}

const args = process.argv.slice(2);
const chosen = args.length === 0 ? layers : args;
const groups = [];
for (const a of chosen) {
  if (layers.includes(a)) {
    const files = findTests(join(root, 'dist', 'test', a));
    if (files.length) groups.push({ name: a, files, concurrency: a === 'e2e' ? 1 : 2 });
  } else {
    groups.push({ name: a, files: [a], concurrency: 1 });
  }
}

let pass = 0, fail = 0, skipped = 0, failedGroups = 0;
for (const g of groups) {
  process.stdout.write(`\n== ${g.name}: ${g.files.length} file(s) ==\n`);
  const r = await runNodeTest(g.files, g.concurrency);
  pass += r.pass; fail += r.fail; skipped += r.skipped;
  if (r.code !== 0) failedGroups++;
}
if (groups.length === 0) {
  process.stdout.write('no test files found (did the build run?)\n');
  process.exitCode = 1;
} else {
  process.stdout.write(`\n${pass} passed, ${fail} failed, ${skipped} skipped\n`);
  process.exitCode = fail > 0 || failedGroups > 0 ? 1 : 0;
}
