/**
 * `benchboot leases [--json]`: the leases of a running server (asked over the
 * control socket in the state directory), or, when no server runs, the leases
 * recorded in that directory's snapshot and journal, read without locking or
 * writing anything. `benchboot leases release IP` frees one
 * address: through the running server (a DHCPRELEASE on the client's behalf), else in the lease
 * files of the stopped server. `--since TIME` narrows the list, or releases every lease
 * bound since then: what a burst of new clients took (issue 16 point 6).
 */
import { controlRequest, controlSocketPath, isNoServer } from '../control/client.js';
import type { Lease } from '../dhcp/lease.js';
import { readLeaseStore } from '../store/lease-store.js';
import { releaseInStore, releaseSinceInStore } from '../store/release.js';
import { parseDuration } from '../config/duration.js';
import { stat } from 'node:fs/promises';
import { ERRORS, BenchbootError, errorMessage } from '../errors.js';
import { escapeControl } from '../devices/text-escape.js';
import { createSilentLogger } from '../log.js';
import { isIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.js';
import { defineCommand, formatTable, writeJson, writeLine, type CliCommand, type CommandContext, type GlobalArgs } from './output.js';

/** The options shared by the leases commands. */
export const LEASES_OPTIONS = {
  leases: { type: 'string', default: './leases', normalize: true, requiresArg: true, describe: 'State directory of the server (as given to serve --leases)' },
  all: { type: 'boolean', default: false, describe: 'Also list offers, released and declined addresses (default: bound leases only)' },
  since: {
    type: 'string',
    requiresArg: true,
    describe: 'Only leases whose state began at or after TIME: a duration back from now (10m, 2h) or a UTC time (2026-12-05T07:00:00Z)',
  },
} as const;

interface LeasesArgs extends GlobalArgs {
  leases: string;
  all: boolean;
  since: string | undefined;
}

interface ReleaseArgs extends GlobalArgs {
  leases: string;
  ip: string | undefined;
  since: string | undefined;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses `--since`: a duration back from `now` (`10m`, `2h`, `90s`, plain seconds) or a
 * date and time, UTC unless it names a zone (`2026-12-05T07:00:00Z`, `2026-12-05 07:00`).
 * Returns ms since the epoch; throws BB_USAGE.
 */
export function parseSince(text: string, now: number): number {
  const t = text.trim();
  if (ISO_TIME.test(t)) {
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(t) ? t : `${t}Z`;
    const ms = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  } else {
    try {
      return now - parseDuration(t) * 1000;
    } catch {
      // Neither form: the usage error below names both.
    }
  }
  throw ERRORS.usage.create({ message: `--since ${JSON.stringify(text)}: give a duration back from now (10m, 2h) or a UTC time (2026-12-05T07:00:00Z)` });
}

/** Where the leases came from. */
type LeaseSourceKind = 'running server' | 'lease files';

/** Reads the leases of a state directory: from the running server, else from its files. */
export async function readLeases(stateDir: string, now: number): Promise<{ from: LeaseSourceKind; leases: readonly Lease[] }> {
  try {
    const result = await controlRequest(controlSocketPath(stateDir), { op: 'leases' });
    if (!Array.isArray(result)) throw ERRORS.leasesNotAList.create();
    return { from: 'running server', leases: result as Lease[] };
  } catch (err) {
    if (!isNoServer(err)) throw err;
  }
  if (!(await isDirectory(stateDir))) return { from: 'lease files', leases: [] };
  // Read-only: no lock is taken and nothing is written, so listing never disturbs a
  // server that is starting, and works on a directory this user may only read.
  return { from: 'lease files', leases: await readLeaseStore(stateDir, now, { logger: createSilentLogger() }) };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new BenchbootError('BB_LEASE_STORE', `cannot read ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** The leases as a text table. */
export function formatLeaseTable(leases: readonly Lease[]): string {
  return formatTable(leases, [
    { header: 'IP', value: (l) => l.ip },
    { header: 'MAC', value: (l) => l.mac },
    { header: 'STATE', value: (l) => l.state },
    { header: 'SCOPE', value: (l) => l.scope },
    // Options 12 and 60 are the device's text: escaped, never written raw to a terminal.
    { header: 'HOSTNAME', value: (l) => escapeControl(l.hostname ?? '-') },
    { header: 'VENDOR CLASS', value: (l) => escapeControl(l.vendorClass ?? '-') },
    { header: 'UNTIL (UTC)', value: (l) => when(l.expiresAt) },
  ]);
}

function byIp(a: Lease, b: Lease): number {
  return a.ip.localeCompare(b.ip, 'en', { numeric: true });
}

/**
 * Releases `ip` in the lease files of a stopped server: the lease becomes
 * 'released' (the address is free again; the table still remembers the client).
 */
export async function releaseInFiles(stateDir: string, ip: Ipv4, now: number): Promise<Lease> {
  if (!(await isDirectory(stateDir))) throw new BenchbootError('BB_LEASE_NOT_FOUND', `no lease files in ${stateDir} (no server has used it)`);
  const released = await releaseInStore(stateDir, ip, now, createSilentLogger());
  if (!released) throw new BenchbootError('BB_LEASE_NOT_FOUND', `no bound lease for ${ip} in ${stateDir}`);
  return released;
}

const listCommand = defineCommand<LeasesArgs>({
  command: '$0',
  describe: 'List the leases (from the running server, or from the lease files when it is stopped)',
  builder: (y) => y.options(LEASES_OPTIONS),
  examples: [
    ['benchboot leases', 'Bound leases of the server using ./leases'],
    ['benchboot leases --all --json', 'Every lease record, as JSON'],
    ['benchboot leases --all --since 10m', 'What the last ten minutes handed out (a burst of new clients?)'],
  ],
  run: async (args, ctx) => {
    const now = Date.now();
    const since = args.since === undefined ? undefined : parseSince(args.since, now);
    const { from, leases } = await readLeases(args.leases, now);
    const recent = since === undefined ? leases : leases.filter((l) => l.startedAt >= since);
    const shown = [...(args.all ? recent : recent.filter((l) => l.state === 'bound'))].sort(byIp);
    if (args.json) {
      writeJson(ctx.io.stdout, { from, leases: shown });
      return 0;
    }
    if (shown.length === 0) writeLine(ctx.io.stdout, `No ${args.all ? '' : 'bound '}leases (${from}, ${args.leases}).`);
    else writeLine(ctx.io.stdout, formatLeaseTable(shown));
    return 0;
  },
});

const releaseCommand = defineCommand<ReleaseArgs>({
  command: 'release [ip]',
  describe: 'Free one leased address, or every lease bound since a time (through the running server, or in the lease files when it is stopped)',
  builder: (y) =>
    y
      .options({ leases: LEASES_OPTIONS.leases, since: { ...LEASES_OPTIONS.since, describe: 'Instead of one IP: every lease bound (or renewed) at or after TIME' } })
      .positional('ip', { type: 'string', describe: 'The leased IPv4 address' }),
  examples: [
    ['benchboot leases release 10.10.0.23', 'The next client may get 10.10.0.23'],
    ['benchboot leases release --since 5m', 'Give back what a burst of spoofed clients took in the last five minutes'],
  ],
  run: async (args, ctx) => {
    if ((args.ip === undefined) === (args.since === undefined)) throw ERRORS.usage.create({ message: 'leases release needs an IP or --since TIME (one of them)' });
    if (args.since !== undefined) return releaseSince(args.leases, parseSince(args.since, Date.now()), args.json, ctx);
    const ip = parseReleaseIp(args.ip ?? '');
    let lease: Lease | undefined;
    let from: LeaseSourceKind = 'running server';
    try {
      lease = parseReleased(await controlRequest(controlSocketPath(args.leases), { op: 'release', ip }));
    } catch (err) {
      if (!isNoServer(err)) throw err;
      from = 'lease files';
      lease = await releaseInFiles(args.leases, ip, Date.now());
    }
    if (args.json) writeJson(ctx.io.stdout, { from, released: lease });
    else writeLine(ctx.io.stdout, `Released ${ip}${lease ? ` (was ${lease.mac}, scope ${lease.scope})` : ''}${from === 'lease files' ? ` in ${args.leases}` : ''}.`);
    return 0;
  },
});

/** The lease a running server answered `release` with (undefined from an older server that answered something else). */
function parseReleased(v: unknown): Lease | undefined {
  return typeof v === 'object' && v !== null && typeof (v as { ip?: unknown }).ip === 'string' && typeof (v as { mac?: unknown }).mac === 'string' ? (v as Lease) : undefined;
}

/** `leases release --since`: through the running server, else in the lease files. */
async function releaseSince(stateDir: string, since: number, json: boolean, ctx: CommandContext): Promise<number> {
  let released: readonly Lease[];
  let from: LeaseSourceKind = 'running server';
  try {
    const result = await controlRequest(controlSocketPath(stateDir), { op: 'release-since', since });
    if (!Array.isArray(result)) throw ERRORS.leasesNotAList.create();
    released = result as Lease[];
  } catch (err) {
    if (!isNoServer(err)) throw err;
    from = 'lease files';
    released = (await isDirectory(stateDir)) ? await releaseSinceInStore(stateDir, since, Date.now(), createSilentLogger()) : [];
  }
  if (json) writeJson(ctx.io.stdout, { from, released });
  else writeLine(ctx.io.stdout, `Released ${released.length} lease${released.length === 1 ? '' : 's'} bound since ${when(since)} UTC (${from}, ${stateDir}).`);
  return 0;
}

/** `benchboot leases [release IP]`. */
export const leasesCommand: CliCommand = {
  name: 'leases',
  register(parser, io, report) {
    return parser.command('leases', 'List the leases, or release one', (y) => releaseCommand.register(listCommand.register(y, io, report), io, report));
  },
};

/** Parses the IP of `leases release`. */
export function parseReleaseIp(text: string): Ipv4 {
  if (!isIpv4(text)) throw ERRORS.notIpv4.create({ text });
  return parseIpv4(text);
}
