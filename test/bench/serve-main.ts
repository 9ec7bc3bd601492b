/**
 * The benchmark's `benchboot serve` with one seam: device records on or off. It
 * parses the same options as `serve` (SERVE_OPTIONS, with serve's defaults) and builds
 * the appliance the way serve does (validateServeArgs, the steady clock, JSON logs),
 * without the preflight probe (the bench runs serve with --force anyway) and without
 * the live view (--no-live). `records-off` passes the appliance's `deviceRecords: false`:
 * no device book, no device files, no statuses. Used by test/bench/timeline.ts only.
 *
 *   node dist/test/bench/serve-main.js records-on|records-off --scopes DIR --tftp-root DIR --leases DIR [serve options]
 */
import { resolve } from 'node:path';
import yargs from 'yargs';
import { createAppliance, scopeFiles } from '../../src/appliance/index.js';
import { serveHttpConfig, serveNewClientRate, serveSyslog, serveWebConfig, validateServeArgs } from '../../src/cli/serve-args.js';
import { serveClock } from '../../src/cli/serve-clock.js';
import { SERVE_OPTIONS, type ServeArgs } from '../../src/cli/serve-options.js';
import { systemBindings } from '../../src/dhcp/server.js';
import { createLogger } from '../../src/log.js';

async function run(): Promise<void> {
  const [mode, ...argv] = process.argv.slice(2);
  if (mode !== 'records-on' && mode !== 'records-off') throw new Error('usage: serve-main.js records-on|records-off [serve options]');
  const args = yargs(argv).options(SERVE_OPTIONS).option('json', { type: 'boolean' }).strict().parseSync() as unknown as ServeArgs;
  if (args.scopes === undefined) throw new Error('--scopes DIR is needed');
  const root = createLogger({ level: 'info', json: true, stream: process.stderr });
  const logger = root.child({ component: 'serve' });
  const tftp = validateServeArgs(args);
  const web = serveWebConfig(args.web);
  const http = serveHttpConfig(args);
  const syslog = serveSyslog(args);
  const newClientRate = serveNewClientRate(args);
  const appliance = createAppliance({
    scopes: scopeFiles(resolve(args.scopes)),
    tftp,
    stateDir: resolve(args.leases),
    dhcpBindings: systemBindings({ port: args['dhcp-port'] }),
    logger: root,
    clock: serveClock(logger),
    deviceRecords: mode === 'records-on',
    ...(web === undefined ? {} : { web }),
    ...(http === undefined ? {} : { http }),
    ...(syslog === undefined ? {} : { syslog }),
    ...(newClientRate === undefined ? {} : { newClientRate }),
  });
  await appliance.start();
  logger.info('bench serve running', { deviceRecords: mode === 'records-on' });
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  await appliance.stop(Math.round(args.grace * 1000));
  await new Promise<void>((r) => root.end(() => r()));
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`serve-main: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
