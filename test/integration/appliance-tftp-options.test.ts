/**
 * serve's TFTP options end to end on loopback: a serve command line is parsed with
 * the real SERVE_OPTIONS table, turned into settings by serveTftpSettings (as
 * `benchboot serve` does), and the appliance runs with them (DHCP on a loopback
 * socket, TFTP on 127.0.0.1). The built-in client then checks what a technician
 * would: alternate locations, the default phone config, a map-file remap, transfer
 * ports inside --port-range, blksize capped by --max-blksize, upload versions kept
 * or overwritten, and the upload size limit (error 3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles, type Appliance } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { checkTftpFiles } from '../../src/appliance/index.js';
import { serveTftpSettings } from '../../src/cli/serve-args.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4 } from '../../src/net/ipv4.js';
import { TftpClientError, tftpGet, tftpPut } from '../../src/tftp/client.js';
import { freeUdpPort, parseServeArgs } from '../helpers/cli.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', 'boot:', '  file: boot.cfg', ''].join('\n');

/** Starts an appliance from a serve command line (TFTP options only matter here). */
async function startFromArgs(dir: string, name: string, argv: string[]): Promise<{ appliance: Appliance; port: number; stateDir: string }> {
  const settings = serveTftpSettings(parseServeArgs(['--scopes', join(dir, 'scopes'), ...argv]));
  await checkTftpFiles(settings);
  const stateDir = join(dir, `state-${name}`);
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { ...settings, port: 0, listenAddresses: ['127.0.0.1'] },
    stateDir,
    dhcpBindings: loopbackBindings({ port: await freeUdpPort(), interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
  });
  await appliance.start();
  const listen = appliance.status().tftp.listen[0] ?? '';
  return { appliance, port: Number(listen.split(':')[1]), stateDir };
}

/** The TFTP error code of a failed client transfer. */
async function tftpErrorOf(p: Promise<unknown>): Promise<{ code: number | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TftpClientError) return { code: err.tftpCode, message: err.message };
    throw err;
  }
  assert.fail('the transfer succeeded');
}

test('alternates, default file, map file, port range, max blksize and the upload policy reach the wire', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-tftp-opts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp', 'tftp/firmware', 'alt1', 'alt2', 'up', 'up-overwrite']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const xmlDefault = Buffer.from('<device><default/></device>\n');
  await writeFile(join(dir, 'tftp', 'XMLDefault.cnf.xml'), xmlDefault);
  const image = Buffer.alloc(5000, 0x5a);
  await writeFile(join(dir, 'tftp', 'firmware', 'image.bin'), image);
  await writeFile(join(dir, 'alt1', 'shared.cfg'), 'from alt1\n');
  await writeFile(join(dir, 'alt2', 'shared.cfg'), 'from alt2\n');
  const onlyInAlt2 = Buffer.alloc(3000, 0x42);
  await writeFile(join(dir, 'alt2', 'cluster2.bin'), onlyInAlt2);
  await writeFile(join(dir, 'tftp.map'), ['# old phones ask with a path prefix', 'r ^legacy/(.*)$ firmware/\\1', ''].join('\n'));

  const base = 40_000 + Math.floor(Math.random() * 20_000);
  const [lo, hi] = [base, base + 19];
  const a = await startFromArgs(dir, 'a', [
    '--tftp-root', join(dir, 'tftp'),
    '--alternate', join(dir, 'alt1'), '--alternate', join(dir, 'alt2'),
    '--default-file', 'SEP*.cnf.xml=XMLDefault.cnf.xml',
    '--map-file', join(dir, 'tftp.map'),
    '--port-range', `${lo}-${hi}`,
    '--max-blksize', '1024',
    '--upload-dir', join(dir, 'up'), '--max-upload-size', '4K',
    '--tftp-workers', '1',
  ]);
  let aRunning = true;
  t.after(async () => {
    if (aRunning) await a.appliance.stop(0);
  });
  const get = (file: string, blksize?: number): ReturnType<typeof tftpGet> =>
    tftpGet({ host: '127.0.0.1', port: a.port, file, localAddress: '127.0.0.1', ...(blksize === undefined ? {} : { blksize }) });

  // A file that only the second alternate has is served; the first location holding a name wins.
  const alt = await get('cluster2.bin');
  assert.deepEqual(alt.data, onlyInAlt2);
  assert.equal((await get('shared.cfg')).data?.toString(), 'from alt1\n');

  // An unknown phone gets the default config.
  const phone = await get('SEP0123456789AB.cnf.xml');
  assert.deepEqual(phone.data, xmlDefault);
  const notAPhone = await tftpErrorOf(get('ATA0123456789AB.cnf.xml'));
  assert.equal(notAPhone.code, 1);

  // The map file sends legacy/ to firmware/; blksize 1468 asked, 1024 granted; the transfer port is in the range.
  const remapped = await get('legacy/image.bin', 1468);
  assert.deepEqual(remapped.data, image);
  assert.equal(remapped.blksize, 1024);
  for (const r of [alt, phone, remapped]) assert.ok(r.server.port >= lo && r.server.port <= hi, `transfer port ${r.server.port} outside ${lo}-${hi}`);

  // Uploads: each version kept; over 4K refused with error 3, announced by tsize (the server's
  // check) or not (the storage's limit while receiving).
  const put = (file: string, data: Uint8Array, tsize = true): ReturnType<typeof tftpPut> =>
    tftpPut({ host: '127.0.0.1', port: a.port, file, data, tsize, localAddress: '127.0.0.1' });
  await put('router1-confg', Buffer.from('hostname router1\n! v1\n'));
  await put('router1-confg', Buffer.from('hostname router1\n! v2\n'));
  const kept = (await readdir(join(dir, 'up'))).filter((n) => n.startsWith('router1-confg')).sort();
  assert.equal(kept.length, 2, kept.join(', '));
  const contents = await Promise.all(kept.map((n) => readFile(join(dir, 'up', n), 'utf8')));
  assert.deepEqual(contents.sort(), ['hostname router1\n! v1\n', 'hostname router1\n! v2\n']);
  await put('small.bin', Buffer.alloc(4096, 1));
  const announced = await tftpErrorOf(put('big.bin', Buffer.alloc(4097, 1)));
  assert.equal(announced.code, 3);
  assert.match(announced.message, /upload of 4097 bytes is larger than the limit/);
  const unannounced = await tftpErrorOf(put('big2.bin', Buffer.alloc(6000, 1), false));
  assert.equal(unannounced.code, 3);
  assert.match(unannounced.message, /larger than the upload limit of 4096 bytes/);
  assert.deepEqual((await readdir(join(dir, 'up'))).filter((n) => n.startsWith('big')), []);

  // Status reports the settings in force.
  const settings = a.appliance.status().tftp.settings;
  assert.deepEqual(settings.server, { portRange: [lo, hi], transfersCeiling: 200, maxBlksize: 1024, maxWindowBytes: 64 * 1024, minWindowBlocks: 2, busyPollMicros: 200, workers: 1 });
  assert.equal(settings.maxUploadBytes, 4096);
  await a.appliance.stop(0);
  aRunning = false;

  // With --overwrite-uploads (and --case-insensitive) one file remains, holding the last version.
  const b = await startFromArgs(dir, 'b', [
    '--tftp-root', join(dir, 'tftp'),
    '--alternate', join(dir, 'alt2'),
    '--case-insensitive',
    '--upload-dir', join(dir, 'up-overwrite'), '--overwrite-uploads',
  ]);
  t.after(() => b.appliance.stop(0));
  const putB = (data: string): ReturnType<typeof tftpPut> =>
    tftpPut({ host: '127.0.0.1', port: b.port, file: 'router1-confg', data: Buffer.from(data), localAddress: '127.0.0.1' });
  await putB('hostname router1\n! v1\n');
  await putB('hostname router1\n! v2\n');
  assert.deepEqual(await readdir(join(dir, 'up-overwrite')), ['router1-confg']);
  assert.equal(await readFile(join(dir, 'up-overwrite', 'router1-confg'), 'utf8'), 'hostname router1\n! v2\n');
  const upper = await tftpGet({ host: '127.0.0.1', port: b.port, file: 'CLUSTER2.BIN', localAddress: '127.0.0.1' });
  assert.deepEqual(upper.data, onlyInAlt2);
});

test('--upload-quota, --max-versions and --min-free reach the wire and the status', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-tftp-opts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp', 'up']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const a = await startFromArgs(dir, 'room', ['--tftp-root', join(dir, 'tftp'), '--upload-dir', join(dir, 'up'), '--upload-quota', '3K', '--max-versions', '2', '--min-free', '0']);
  t.after(() => a.appliance.stop(0));
  const put = (file: string, data: Uint8Array): ReturnType<typeof tftpPut> => tftpPut({ host: '127.0.0.1', port: a.port, file, data, tsize: true, localAddress: '127.0.0.1' });
  for (const v of ['v1', 'v2', 'v3']) await put('router1-confg', Buffer.from(`hostname router1\n! ${v}\n`.padEnd(1000, '!')));
  const kept = (await readdir(join(dir, 'up'))).sort();
  const contents = await Promise.all(kept.map((n) => readFile(join(dir, 'up', n), 'utf8')));
  assert.deepEqual(contents.map((c) => c.slice(0, 22)).sort(), ['hostname router1\n! v1\n', 'hostname router1\n! v3\n'], 'the first and the newest');
  const full = await tftpErrorOf(put('switch1-confg', Buffer.alloc(1100, 1)));
  assert.equal(full.code, 3);
  assert.match(full.message, /holds 2000 bytes, 1100 more would pass its quota of 3072 bytes/);
  const settings = a.appliance.status().tftp.settings;
  assert.deepEqual([settings.uploadQuotaBytes, settings.maxUploadVersions, settings.minFreeBytes], [3072, 2, 0]);
});

test('a bad map file stops the appliance from starting and names the line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-tftp-opts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  await writeFile(join(dir, 'tftp.map'), 'r ^a$ b\nr ^(a)$ \\2\n');
  await assert.rejects(
    startFromArgs(dir, 'bad', ['--tftp-root', join(dir, 'tftp'), '--map-file', join(dir, 'tftp.map')]),
    (err: Error) => /tftp\.map:2: replacement uses \\2 but the regex has 1 group/.test(err.message),
  );
});
