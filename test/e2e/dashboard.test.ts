/**
 * The web dashboard as a person sees it, in a real browser (Debian's chromium driven
 * by puppeteer-core): `benchboot serve` runs in a network namespace with its default
 * dashboard (127.0.0.1:8067 of that namespace), chromium runs in the same namespace
 * (launched through `ip netns exec`, talking to puppeteer over pipes), and a phone
 * in another namespace takes a lease with udhcpc and fetches files with tftp-hpa.
 * Asserted on the page, pushed live without reloading: the device row appears with
 * its status, a progress bar moves during a large lock-step transfer (512-byte
 * blocks), and the device's timeline shows the file-not-found. Screenshots are kept
 * under test-artifacts/dashboard/ (gitignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { collectOutput, e2eSkip, exitOf, openLab, waitFor, type Netns } from './netns.js';
import { runUdhcpcOnce } from '../helpers/dhcp-e2e.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const skip = e2eSkip({ programs: ['udhcpc', 'tftp', 'chromium'] });
const DASHBOARD = 'http://127.0.0.1:8067/';
const MISSING = 'SEPmissing.cnf.xml';

/** A wrapper that starts chromium inside `ns` (ip netns exec execs it: same PID). */
async function chromiumIn(ns: Netns, work: string): Promise<string> {
  const wrapper = join(work, 'chromium-in-netns.sh');
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.name} ${CHROMIUM} "$@"\n`);
  await chmod(wrapper, 0o755);
  return wrapper;
}

async function launch(ns: Netns, work: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromiumIn(ns, work),
    pipe: true,
    headless: true,
    userDataDir: join(work, 'chromium-profile'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-proxy-server'],
    defaultViewport: { width: 1400, height: 1000 },
  });
}

/** The progress bar's value, or -1 while none is shown. */
async function progressValue(page: Page): Promise<number> {
  return Number(await page.evaluate(BAR_VALUE));
}

// Page-side expressions (strings: this project compiles without the DOM library).
const BAR_VALUE = `(() => { const bar = document.querySelector('#transfers progress.transfer'); return bar ? bar.value : -1; })()`;
const IS_LIVE = `document.getElementById('live-state')?.textContent === 'live'`;

test('the dashboard shows a device row with its status, a moving progress bar and the file-not-found', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  await mkdir(ARTIFACTS, { recursive: true });
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('phone');
  const [s, c] = await lab.link(srv, cli, { aAddress: '10.82.0.1/24' });
  const root = join(work, 'tftp');
  await mkdir(root);
  const size = 48 * 1024 * 1024;
  await writeFile(join(root, 'firmware.bin'), Buffer.alloc(size, 0x5a));

  const serve = srv.spawn(process.execPath, [BIN, 'serve', '--json', '--no-live', '--probe-timeout', '1', '--interface', s.ifname, '--tftp-root', root, '--leases', join(work, 'state')], { maxMs: 170_000 });
  const log = collectOutput(serve);
  assert.ok(await waitFor(() => log().includes('benchboot is serving') || serve.exitCode !== null, 20_000), log());
  assert.match(log(), /"message":"dashboard".*"url":"http:\/\/127\.0\.0\.1:8067\/"/);

  const browser = await launch(srv, work);
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(DASHBOARD, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(IS_LIVE, { timeout: 15_000 });
  assert.match(await page.$eval('#devices', (el) => el.textContent ?? ''), /No device has sent a packet yet/);

  // udhcpc takes a lease: its row appears, pushed, with the lease's status.
  const mac = (await cli.execOk('cat', [`/sys/class/net/${c.ifname}/address`])).trim();
  const dh = await runUdhcpcOnce(cli, c.ifname, join(work, 'udhcpc'), 'phone');
  assert.equal(dh.code, 0, dh.stderr);
  const row = `#devices tr.device[data-search*="${mac}"]`;
  await page.waitForSelector(row, { timeout: 15_000 });
  const status = await page.$eval(`${row} td.status`, (el) => el.textContent ?? '');
  assert.equal(status, 'leased', 'the row shows the status');
  await page.screenshot({ path: join(ARTIFACTS, '1-device-row.png'), fullPage: true });

  // The search is answered by the server (the table shows at most a page of rows): a search
  // for something else gets its table over a new stream; clearing it brings the row back.
  await page.type('#device-search', 'no-such-phone');
  await page.waitForFunction(`(document.getElementById('devices')?.textContent ?? '').includes('No device matches (1 known)')`, { timeout: 15_000 });
  assert.match(page.url(), /\?q=no-such-phone$/, 'the filter is in the address, for a reload or a link');
  await page.$eval('#device-search', (el) => {
    (el as unknown as { value: string }).value = '';
    el.dispatchEvent(new Event('input'));
  });
  await page.waitForSelector(row, { timeout: 15_000 });
  await page.waitForFunction(IS_LIVE, { timeout: 15_000 });

  // A 48 MiB file in 512-byte lock-step blocks: the bar is seen at two increasing values before the end.
  const get = cli.spawn('tftp', ['10.82.0.1', '-m', 'binary', '-c', 'get', 'firmware.bin', join(work, 'fw.out')], { maxMs: 150_000 });
  const getExit = exitOf(get, 150_000);
  await page.waitForFunction(`${BAR_VALUE} > 0`, { timeout: 30_000 });
  const first = await progressValue(page);
  await page.waitForFunction(`${BAR_VALUE} > ${first}`, { timeout: 30_000 });
  const second = await progressValue(page);
  assert.ok(second > first && second < size, `the bar moved while the transfer ran: ${first} then ${second} of ${size}`);
  await page.screenshot({ path: join(ARTIFACTS, '2-progress.png'), fullPage: true });
  assert.equal(await getExit, 0, 'the transfer completed');
  await page.waitForFunction(`${BAR_VALUE} === -1`, { timeout: 15_000 });

  // The device's page: a missing file appears in its timeline, live.
  await page.goto(`${DASHBOARD}device/${mac}`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(IS_LIVE, { timeout: 15_000 });
  const miss = await cli.exec('tftp', ['10.82.0.1', '-m', 'binary', '-c', 'get', MISSING, join(work, 'missing.out')], 20_000);
  assert.match(miss.stdout + miss.stderr, /not found/i);
  await page.waitForFunction(`(document.getElementById('timeline')?.textContent ?? '').includes(${JSON.stringify(`${MISSING} not-found`)})`, { timeout: 15_000 });
  const timeline = await page.$eval('#timeline', (el) => el.textContent ?? '');
  assert.match(timeline, /firmware\.bin delivered/);
  await page.screenshot({ path: join(ARTIFACTS, '3-timeline-not-found.png'), fullPage: true });

  serve.kill('SIGTERM');
  assert.equal(await exitOf(serve, 20_000), 0, log());
});
