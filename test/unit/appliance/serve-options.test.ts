/**
 * `benchboot serve`'s TFTP options: parsed by yargs with the real SERVE_OPTIONS table
 * into the appliance's TFTP settings, and every bad value refused through `main`
 * before anything starts, with the error code a script would see (`--json`).
 * The command line names an interface that does not exist, so a command line that
 * passes every check ends in BB_INTERFACE and touches no network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDefaultFile, parsePortRange, parseSize, serveTftpSettings } from '../../../src/cli/serve-args.js';
import { isBenchbootError, type ErrorCode } from '../../../src/errors.js';
import { parseServeArgs, runCli } from '../../helpers/cli.js';

const NO_SUCH_INTERFACE = 'bbnone0';

/** Runs `benchboot serve ... --json` and returns the exit code and the error code it reported. */
async function serveError(argv: string[]): Promise<{ exit: number; code: string; message: string }> {
  const { code: exit, stderr: err } = await runCli(['serve', '--interface', NO_SUCH_INTERFACE, '--json', '--no-live', ...argv]);
  const line = err.split('\n').find((l) => l.startsWith('{"error"')) ?? '{}';
  const parsed = JSON.parse(line) as { error?: { code?: string; message?: string } };
  return { exit, code: parsed.error?.code ?? '(none)', message: parsed.error?.message ?? err };
}

test('every TFTP option reaches the settings the appliance gets', () => {
  const args = parseServeArgs([
    '--interface', 'eth1',
    '--tftp-root', 'tftp',
    '--alternate', 'alt1', '--alternate', 'alt2',
    '--default-file', 'SEP*.cnf.xml=XMLDefault.cnf.xml', '--default-file', 'ATA*.cnf.xml=ata/default.xml',
    '--map-file', 'tftp.map',
    '--case-insensitive',
    '--upload-dir', 'up', '--overwrite-uploads', '--max-upload-size', '1G', '--upload-mode', '0640',
    '--max-blksize', '1024', '--mtu', '1500', '--max-windowsize', '8', '--max-window-bytes', '32K',
    '--port-range', '50000-50009',
    '--max-per-client', '4', '--transfers-ceiling', '300', '--tftp-timeout', '500', '--tftp-retries', '3',
    '--busy-poll', '50',
    '--tftp-workers', '3',
  ]);
  assert.deepEqual(serveTftpSettings(args), {
    root: resolve('tftp'),
    uploadDir: resolve('up'),
    port: 69,
    maxTransfers: 200,
    alternates: [resolve('alt1'), resolve('alt2')],
    defaults: [
      { pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' },
      { pattern: 'ATA*.cnf.xml', file: 'ata/default.xml' },
    ],
    caseInsensitive: true,
    mapFile: resolve('tftp.map'),
    overwriteUploads: true,
    maxUploadBytes: 1024 ** 3,
    uploadMode: 0o640,
    server: { portRange: [50000, 50009], maxPerClient: 4, transfersCeiling: 300, maxBlksize: 1024, mtu: 1500, maxWindowsize: 8, maxWindowBytes: 32 * 1024, timeoutMs: 500, retries: 3, busyPollMicros: 50, workers: 3 },
  });
});

test('--max-transfers reaches the settings and bounds --max-per-client', () => {
  assert.equal(serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--max-transfers', '30'])).maxTransfers, 30);
  assert.throws(
    () => serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--max-transfers', '30', '--max-per-client', '31'])),
    (err) => isBenchbootError(err, 'BB_TFTP_OPTIONS') && /--max-per-client 31: give a whole number 1\.\.30/.test(err.message),
  );
});

test('--transfers-ceiling: 4 x --max-transfers by default (at most 10000), never under --max-transfers; equal to it is a fixed limit', () => {
  const ceiling = (argv: string[]): number | undefined => serveTftpSettings(parseServeArgs(['--interface', 'eth1', ...argv])).server?.transfersCeiling;
  assert.equal(ceiling(['--max-transfers', '30']), 120);
  assert.equal(ceiling(['--max-transfers', '5000']), 10_000);
  assert.equal(ceiling(['--max-transfers', '30', '--transfers-ceiling', '30']), 30);
  assert.equal(ceiling(['--max-transfers', '30', '--port-range', '50000-50099']), 100, 'no higher than a port range has sockets for');
  assert.equal(ceiling(['--max-transfers', '30', '--port-range', '50000-50009']), 30, 'never under --max-transfers');
  assert.throws(
    () => ceiling(['--max-transfers', '30', '--transfers-ceiling', '29']),
    (err) => isBenchbootError(err, 'BB_TFTP_OPTIONS') && /--transfers-ceiling 29: give a whole number 30\.\.10000 \(at least --max-transfers\)/.test(err.message),
  );
});

test('windows are limited to 64 KiB (at least 2 blocks) by default, so large blocks never overflow a client\'s receive buffer; 0 lifts the limit', () => {
  const auto = serveTftpSettings(parseServeArgs(['--interface', 'eth1'])).server;
  assert.equal(auto?.maxWindowBytes, 64 * 1024);
  assert.equal(auto?.minWindowBlocks, 2, 'auto: 64 KiB but at least 2 blocks (2 × 64 KiB datagrams still fit)');
  const exact = serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--max-window-bytes', '64K'])).server;
  assert.equal(exact?.maxWindowBytes, 64 * 1024);
  assert.equal(exact?.minWindowBlocks, undefined, 'a number given is the exact limit');
  const none = serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--max-window-bytes', '0'])).server;
  assert.equal(none?.maxWindowBytes, undefined);
  assert.equal(none?.minWindowBlocks, undefined);
});

test('downloads stay on the main thread by default (--tftp-workers 0); --tftp-workers N asks for N sending threads; out of range is refused', () => {
  assert.equal(serveTftpSettings(parseServeArgs(['--interface', 'eth1'])).server?.workers, 0, 'downloads stay on the main thread by default');
  assert.equal(serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--tftp-workers', '2'])).server?.workers, 2);
  for (const bad of ['-1', '257', '1.5']) {
    assert.throws(
      () => serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--tftp-workers', bad])),
      (err) => isBenchbootError(err, 'BB_TFTP_OPTIONS') && err.message.includes('--tftp-workers'),
    );
  }
});

test('busy polling is on by default (200 µs), 0 turns it off, out of range is refused', () => {
  assert.equal(serveTftpSettings(parseServeArgs(['--interface', 'eth1'])).server?.busyPollMicros, 200);
  assert.equal(serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--busy-poll', '0'])).server?.busyPollMicros, 0);
  for (const bad of ['-1', '10001', '2.5']) {
    assert.throws(
      () => serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--busy-poll', bad])),
      (err) => isBenchbootError(err, 'BB_TFTP_OPTIONS') && err.message.includes('--busy-poll'),
      bad,
    );
  }
});

test('without TFTP options the settings are the defaults: no alternates, versions kept, only the window byte limit and busy polling set', () => {
  const settings = serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--upload-dir', 'up']));
  assert.deepEqual(settings.alternates, []);
  assert.deepEqual(settings.defaults, []);
  assert.equal(settings.caseInsensitive, false);
  assert.equal(settings.overwriteUploads, false);
  assert.equal(settings.mapFile, undefined);
  assert.equal(settings.maxUploadBytes, undefined);
  assert.deepEqual(settings.server, { transfersCeiling: 800, maxWindowBytes: 64 * 1024, minWindowBlocks: 2, busyPollMicros: 200, workers: 0 });
});

test('--upload-quota, --max-versions and --min-free reach the settings; without them the inbox defaults apply', () => {
  const given = serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--upload-dir', 'up', '--upload-quota', '2G', '--max-versions', '5', '--min-free', '512M']));
  assert.deepEqual([given.uploadQuotaBytes, given.maxUploadVersions, given.minFreeBytes], [2 * 1024 ** 3, 5, 512 * 1024 ** 2]);
  const unbounded = serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--upload-dir', 'up', '--max-versions', 'all', '--min-free', '0']));
  assert.deepEqual([unbounded.maxUploadVersions, unbounded.minFreeBytes], ['all', 0]);
  const none = serveTftpSettings(parseServeArgs(['--interface', 'eth1', '--upload-dir', 'up']));
  assert.deepEqual([none.uploadQuotaBytes, none.maxUploadVersions, none.minFreeBytes], [undefined, undefined, undefined]);
});

test('sizes: bytes or K/M/G (x1024); anything else is a usage error', () => {
  const good: [string, number][] = [
    ['65536', 65536],
    ['64M', 64 * 1024 * 1024],
    ['64m', 64 * 1024 * 1024],
    ['64MiB', 64 * 1024 * 1024],
    ['64MB', 64 * 1024 * 1024],
    ['512K', 512 * 1024],
    ['1G', 1024 ** 3],
    ['100B', 100],
  ];
  for (const [text, bytes] of good) assert.equal(parseSize(text, 'max-upload-size'), bytes, text);
  for (const text of ['', '0', '0M', '-1', '1.5M', '64T', 'M', '64 M B', '64iB', '99999999999999999G']) {
    assert.throws(() => parseSize(text, 'max-upload-size'), (err) => isBenchbootError(err, 'BB_USAGE') && err.message.includes('--max-upload-size'), text);
  }
});

test('default rules split at the first =, port ranges need LO-HI', () => {
  assert.deepEqual(parseDefaultFile('SEP*.cnf.xml=XMLDefault.cnf.xml'), { pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' });
  assert.deepEqual(parseDefaultFile('a=b=c'), { pattern: 'a', file: 'b=c' });
  for (const bad of ['SEP*.cnf.xml', '=x', 'x=', ' = ']) assert.throws(() => parseDefaultFile(bad), (err) => isBenchbootError(err, 'BB_USAGE'), bad);
  assert.deepEqual(parsePortRange('50000-50099'), [50000, 50099]);
  assert.deepEqual(parsePortRange('50000-50000'), [50000, 50000]);
  assert.throws(() => parsePortRange('50000'), (err) => isBenchbootError(err, 'BB_USAGE'));
  assert.throws(() => parsePortRange('a-b'), (err) => isBenchbootError(err, 'BB_USAGE'));
  assert.throws(() => parsePortRange('0-10'), (err) => isBenchbootError(err, 'BB_TFTP_OPTIONS'));
  assert.throws(() => parsePortRange('60000-50000'), (err) => isBenchbootError(err, 'BB_TFTP_OPTIONS'));
  assert.throws(() => parsePortRange('65000-65536'), (err) => isBenchbootError(err, 'BB_TFTP_OPTIONS'));
});

test('bad values are refused before anything starts, each with its code and the option named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-serve-opts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'alt'));
  await writeFile(join(dir, 'bad.map'), '# remaps\nr ^a$ b\nr ^(x$ y\n');
  const up = ['--upload-dir', dir];
  const cases: [string[], ErrorCode, RegExp][] = [
    [['--max-blksize', '7'], 'BB_TFTP_OPTIONS', /--max-blksize 7: give a whole number 8\.\.65464/],
    [['--max-blksize', '65465'], 'BB_TFTP_OPTIONS', /--max-blksize 65465/],
    [['--max-blksize', 'big'], 'BB_TFTP_OPTIONS', /--max-blksize NaN/],
    [['--mtu', '39'], 'BB_TFTP_OPTIONS', /--mtu 39: give a whole number 40\.\.65535/],
    [['--max-windowsize', '0'], 'BB_TFTP_OPTIONS', /--max-windowsize 0/],
    [['--max-windowsize', '65536'], 'BB_TFTP_OPTIONS', /--max-windowsize 65536/],
    [['--max-per-client', '0'], 'BB_TFTP_OPTIONS', /--max-per-client 0/],
    [['--max-per-client', '201'], 'BB_TFTP_OPTIONS', /--max-per-client 201: .*at most --max-transfers/],
    [['--max-window-bytes', '4'], 'BB_TFTP_OPTIONS', /--max-window-bytes 4: give 0 \(no limit\) or at least 8 bytes/],
    [['--max-window-bytes', 'lots'], 'BB_USAGE', /--max-window-bytes "lots"/],
    [['--tftp-timeout', '5'], 'BB_TFTP_OPTIONS', /--tftp-timeout 5: give a whole number 10\.\.255000 milliseconds/],
    [['--tftp-timeout', '1.5'], 'BB_TFTP_OPTIONS', /--tftp-timeout 1\.5/],
    [['--tftp-retries', '101'], 'BB_TFTP_OPTIONS', /--tftp-retries 101/],
    [['--port-range', '50000'], 'BB_USAGE', /--port-range "50000": give LO-HI/],
    [['--port-range', '60000-50000'], 'BB_TFTP_OPTIONS', /--port-range 60000-50000/],
    [['--port-range', '60-70'], 'BB_TFTP_OPTIONS', /contains the --tftp-port 69/],
    [['--port-range', '67-67'], 'BB_TFTP_OPTIONS', /contains the --dhcp-port 67/],
    [['--max-upload-size', '64M'], 'BB_USAGE', /--max-upload-size needs --upload-dir/],
    [['--overwrite-uploads'], 'BB_USAGE', /--overwrite-uploads needs --upload-dir/],
    [[...up, '--max-upload-size', '64T'], 'BB_USAGE', /--max-upload-size "64T"/],
    [['--upload-mode', '0600'], 'BB_USAGE', /--upload-mode needs --upload-dir/],
    [[...up, '--upload-mode', '0844'], 'BB_USAGE', /--upload-mode "0844": give octal permission bits from 0 to 0777/],
    [[...up, '--upload-mode', '4755'], 'BB_USAGE', /--upload-mode "4755"/],
    [[...up, '--upload-mode', 'rw-r-----'], 'BB_USAGE', /--upload-mode "rw-r-----"/],
    [['--upload-quota', '1G'], 'BB_USAGE', /--upload-quota needs --upload-dir/],
    [[...up, '--upload-quota', '0'], 'BB_USAGE', /--upload-quota "0": give a size in bytes above 0/],
    [['--max-versions', '3'], 'BB_USAGE', /--max-versions needs --upload-dir/],
    [[...up, '--max-versions', '1'], 'BB_USAGE', /--max-versions "1": give a whole number of at least 2 \(the first version and the newest\), or all/],
    [[...up, '--max-versions', 'few'], 'BB_USAGE', /--max-versions "few"/],
    [[...up, '--max-versions', '3', '--overwrite-uploads'], 'BB_USAGE', /--max-versions and --overwrite-uploads contradict each other/],
    [['--min-free', '1G'], 'BB_USAGE', /--min-free needs --upload-dir/],
    [[...up, '--min-free', 'lots'], 'BB_USAGE', /--min-free "lots"/],
    [['--default-file', 'SEP*.cnf.xml'], 'BB_USAGE', /--default-file "SEP\*\.cnf\.xml": give PATTERN=FILE/],
    [['--default-file', 'SEP*=../../etc/passwd'], 'BB_TFTP_CONFIG', /--default-file: default rule 1: file "\.\.\/\.\.\/etc\/passwd" is not a safe relative name/],
    [Array.from({ length: 11 }, () => ['--alternate', join(dir, 'alt')]).flat(), 'BB_TFTP_CONFIG', /--alternate given 11 times: at most 10/],
    [['--alternate', join(dir, 'alt'), '--alternate', join(dir, 'gone')], 'BB_TFTP_ROOT', /--alternate .*gone \(location 2\) is not a readable directory/],
    [['--map-file', join(dir, 'bad.map')], 'BB_TFTP_CONFIG', /bad\.map:3: invalid regex/],
    [['--map-file', join(dir, 'none.map')], 'BB_TFTP_CONFIG', /cannot read the TFTP map file .*none\.map/],
    [['--alternate'], 'BB_USAGE', /alternate/],
  ];
  for (const [argv, code, message] of cases) {
    const got = await serveError(argv);
    assert.equal(got.code, code, `${argv.join(' ')}: ${got.message}`);
    assert.match(got.message, message, argv.join(' '));
    assert.ok(got.exit === 1 || got.exit === 2, `${argv.join(' ')} exit ${got.exit}`);
  }
});

test('a command line using every option passes all checks (it then stops at the missing interface)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-serve-opts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'alt'));
  await writeFile(join(dir, 'good.map'), 'rg \\\\ /\nr ^SEP(.*)$ phones/SEP\\1\n');
  const got = await serveError([
    '--alternate', join(dir, 'alt'),
    '--default-file', 'SEP*.cnf.xml=XMLDefault.cnf.xml',
    '--map-file', join(dir, 'good.map'),
    '--case-insensitive',
    '--upload-dir', dir, '--overwrite-uploads', '--max-upload-size', '64M',
    '--max-blksize', '1428', '--mtu', '1500', '--max-windowsize', '16',
    '--port-range', '50000-50099', '--max-per-client', '8', '--tftp-timeout', '800', '--tftp-retries', '4',
  ]);
  assert.equal(got.code, 'BB_INTERFACE', got.message);
  assert.match(got.message, new RegExp(`interface ${NO_SUCH_INTERFACE} does not exist`));
});

test('--max-tftp-timeout and --min-transfer-rate reach the server settings; bad values name the flag', async () => {
  const server = (argv: string[]) => serveTftpSettings(parseServeArgs(['--interface', 'eth1', ...argv])).server;
  assert.deepEqual(server(['--max-tftp-timeout', '10', '--min-transfer-rate', '8K']), { transfersCeiling: 800, maxWindowBytes: 64 * 1024, minWindowBlocks: 2, busyPollMicros: 200, maxTimeoutSeconds: 10, minBytesPerSecond: 8192, workers: 0 });
  assert.equal(server(['--min-transfer-rate', '2K/s'])?.minBytesPerSecond, 2048);
  assert.equal(server(['--min-transfer-rate', '0'])?.minBytesPerSecond, 0, '0 turns the floor off');
  assert.equal(server([])?.minBytesPerSecond, undefined, 'not given: the server default (4 KiB/s)');
  const cases: [string[], ErrorCode, RegExp][] = [
    [['--max-tftp-timeout', '0'], 'BB_TFTP_OPTIONS', /--max-tftp-timeout 0: give a whole number 1\.\.255 seconds/],
    [['--max-tftp-timeout', '256'], 'BB_TFTP_OPTIONS', /--max-tftp-timeout 256/],
    [['--min-transfer-rate', 'slow'], 'BB_USAGE', /--min-transfer-rate "slow"/],
    [['--min-transfer-rate', '4G'], 'BB_TFTP_OPTIONS', /--min-transfer-rate 4294967296: give a whole number 0\.\.2147483648 bytes per second/],
  ];
  for (const [argv, code, message] of cases) {
    const got = await serveError(argv);
    assert.equal(got.code, code, `${argv.join(' ')}: ${got.message}`);
    assert.match(got.message, message, argv.join(' '));
  }
});
