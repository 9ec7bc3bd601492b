/**
 * Runs benchboot's DHCP server alone, for tests, benchmarks and anyone who needs
 * it before `benchboot serve` exists.
 *
 *   node dist/test/helpers/dhcp-server-main.js --scopes scopes.json --state-dir ./leases
 *        [--loopback 127.0.0.1:6767 --as-interface bench0 --server-address 10.9.0.1]
 *        [--scopes-dir ./scopes] [--port 67] [--log-level info] [--json] [--compact-after N]
 *
 * Scopes come from a JSON file (an array in the shape of test/helpers/scope-json.ts)
 * or from a directory of scope YAML files (the product's loader). Without
 * --loopback every scope interface gets a real socket pinned with SO_BINDTOIFINDEX.
 * With --loopback one socket on that address stands for --as-interface and answers
 * go back to the sender.
 *
 * Prints one line `ready {"port":N,...}` on stdout once serving, then one JSON
 * line per lease event (`event {...}`). SIGTERM/SIGINT stop the server, print
 * `counters {...}` and close the lease store cleanly (exit 0); SIGKILL is what the
 * fault test uses.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/clock.js';
import type { Scope } from '../../src/config/scope.js';
import { openLeaseStore } from '../../src/store/lease-store.js';
import { createDhcpServer, loopbackBindings, systemBindings } from '../../src/dhcp/server.js';
import { errorMessage, isBenchbootError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { parseIpv4 } from '../../src/net/ipv4.js';
import { scopeFromJson, type ScopeJson } from './scope-json.js';

const USAGE =
  'usage: dhcp-server-main (--scopes FILE.json | --scopes-dir DIR) --state-dir DIR [--loopback ADDR:PORT --as-interface NAME --server-address IP] [--port N] [--log-level L] [--json] [--compact-after N]';

async function loadScopeList(values: { scopes?: string; 'scopes-dir'?: string }): Promise<Scope[]> {
  if (values.scopes && values['scopes-dir']) throw new Error('give --scopes or --scopes-dir, not both');
  if (values.scopes) {
    const parsed = JSON.parse(await readFile(values.scopes, 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new Error(`${values.scopes}: expected a JSON array of scopes`);
    return (parsed as ScopeJson[]).map(scopeFromJson);
  }
  if (values['scopes-dir']) {
    const { loadScopes } = await import('../../src/config/load.js');
    return loadScopes(values['scopes-dir']);
  }
  throw new Error('no scopes: give --scopes FILE.json or --scopes-dir DIR');
}

function parseHostPort(text: string): { address: string; port: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
  const port = Number(m?.[2]);
  if (!m?.[1] || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--loopback ${text}: expected ADDRESS:PORT`);
  return { address: parseIpv4(m[1]), port };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scopes: { type: 'string' },
      'scopes-dir': { type: 'string' },
      'state-dir': { type: 'string' },
      loopback: { type: 'string' },
      'as-interface': { type: 'string' },
      'server-address': { type: 'string' },
      port: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      json: { type: 'boolean', default: false },
      'compact-after': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const stateDir = values['state-dir'];
  if (!stateDir) throw new Error('--state-dir is required');
  const scopes = await loadScopeList(values);
  const logger = createLogger({ level: values['log-level'], json: values.json });
  let bindings;
  if (values.loopback) {
    const lb = parseHostPort(values.loopback);
    const asInterface = values['as-interface'];
    const serverAddress = values['server-address'];
    if (!asInterface || !serverAddress) throw new Error('--loopback needs --as-interface and --server-address');
    if (values.port) throw new Error('--port is for interface sockets; --loopback carries its own port');
    bindings = loopbackBindings({ address: lb.address, port: lb.port, interfaceName: asInterface, serverAddress: parseIpv4(serverAddress) });
  } else {
    if (values['as-interface'] || values['server-address']) throw new Error('--as-interface and --server-address only go with --loopback');
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new Error(`--port ${values.port}: expected 1..65535`);
    bindings = systemBindings(port === undefined ? {} : { port });
  }

  const compactAfter = values['compact-after'] === undefined ? undefined : Number(values['compact-after']);
  if (compactAfter !== undefined && (!Number.isInteger(compactAfter) || compactAfter < 1)) throw new Error(`--compact-after ${values['compact-after']}: expected a positive integer`);
  const store = await openLeaseStore({
    dir: stateDir,
    now: systemClock.now(),
    logger: logger.child({ component: 'leases' }),
    ...(compactAfter !== undefined ? { compactAfterChanges: compactAfter } : {}),
  });
  const server = createDhcpServer({
    scopes,
    journal: store,
    initialLeases: store.loaded,
    logger,
    clock: systemClock,
    bindings,
    onEvent: (e) => process.stdout.write(`event ${JSON.stringify(e)}\n`),
  });
  try {
    await server.start();
  } catch (err) {
    await store.close();
    throw err;
  }
  const ports = server.bindings().map((b) => ({ interface: b.interfaceName, address: b.serverAddress, port: b.endpoint.local().port }));
  process.stdout.write(`ready ${JSON.stringify({ pid: process.pid, leases: store.loaded.length, bindings: ports, port: ports[0]?.port })}\n`);

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.stop();
  process.stdout.write(`counters ${JSON.stringify(server.counters())}\n`);
  await store.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dhcp-server-main: ${isBenchbootError(err) ? `${err.code}: ` : ''}${errorMessage(err)}\n${isBenchbootError(err) ? '' : `${USAGE}\n`}`);
    process.exitCode = isBenchbootError(err) ? 1 : 2;
  },
);
