/**
 * Ctrl-C at any moment of `serve`'s start-up (issue 16 point 9): the signal is sent
 * by the process itself at each start-up step (test/helpers/serve-signal-main.ts),
 * not by timing. Each run must exit 0, leave no temporary `--address` on the
 * interface and no lock in the state directory, and serve only when the signal
 * came after it started. A second Ctrl-C during a long probe leaves at once (exit
 * 130) and still removes the address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVE_STEPS, type ServeStep } from '../../src/cli/serve.js';
import { openLab, e2eSkip, exitOf, collectOutput, type Netns } from './netns.js';

const MAIN = fileURLToPath(new URL('../helpers/serve-signal-main.js', import.meta.url));
const skip = e2eSkip();
const ADDRESS = '10.82.0.1';

interface Outcome {
  readonly code: number | null;
  readonly log: string;
}

async function serveUntilSignalled(srv: Netns, ifname: string, work: string, at: ServeStep, count: number, probeSeconds: number): Promise<Outcome> {
  const state = join(work, `state-${at}-${count}`);
  const args = ['--interface', ifname, '--address', `${ADDRESS}/24`, '--tftp-root', join(work, 'tftp'), '--leases', state, '--no-live', '--probe-timeout', String(probeSeconds)];
  const child = srv.spawn(process.execPath, [MAIN, ...args], { maxMs: 90_000, env: { ...process.env, BB_SIGNAL_AT: at, BB_SIGNAL_COUNT: String(count) } });
  const log = collectOutput(child);
  // The bound only stops a hung run; a long probe (30 s) is what a forced exit must cut short.
  const code = await exitOf(child, 25_000);
  if (code === null && child.exitCode === null) child.kill('SIGKILL');
  const lockLeft = await access(join(state, 'lock')).then(
    () => true,
    () => false,
  );
  assert.equal(lockLeft, false, `${at}: the lock file stayed in ${state}`);
  return { code, log: log() };
}

async function addressLeft(srv: Netns, ifname: string): Promise<boolean> {
  return (await srv.execOk('ip', ['-4', 'addr', 'show', 'dev', ifname])).includes(`${ADDRESS}/`);
}

test('SIGINT at each start-up step: serve exits 0 and removes the temporary address', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('cli');
  const [s] = await lab.link(srv, cli);
  await mkdir(join(work, 'tftp'));
  for (const at of SERVE_STEPS) {
    const { code, log } = await serveUntilSignalled(srv, s.ifname, work, at, 1, at === 'probe' ? 30 : 1);
    assert.equal(code, 0, `${at}:\n${log}`);
    assert.match(log, new RegExp(`step ${at}\\n`), `${at}: the step was never reached:\n${log}`);
    assert.match(log, /signal received, stopping/, log);
    if (at === 'serving') assert.match(log, /benchboot is serving/, log);
    else assert.doesNotMatch(log, /benchboot is serving|step serving/, `${at}: it went on serving after the signal:\n${log}`);
    assert.equal(await addressLeft(srv, s.ifname), false, `${at}: the temporary address stayed:\n${log}`);
  }
});

test('a second SIGINT during a long probe leaves at once (exit 130) and still removes the address', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('cli');
  const [s] = await lab.link(srv, cli);
  await mkdir(join(work, 'tftp'));
  const { code, log } = await serveUntilSignalled(srv, s.ifname, work, 'probe', 2, 30);
  assert.equal(code, 130, log);
  assert.match(log, /second stop signal: leaving now/, log);
  assert.match(log, /removed the temporary address/, log);
  assert.equal(await addressLeft(srv, s.ifname), false, log);
});
