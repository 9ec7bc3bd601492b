/**
 * Test helpers around the command line and a loopback appliance: run `main` with
 * captured streams, parse a serve command line with the real option table (no
 * handler runs), and pick a free UDP port on 127.0.0.1.
 */
import { PassThrough } from 'node:stream';
import yargs from 'yargs';
import { main } from '../../src/cli/main.js';
import { SERVE_OPTIONS, type ServeArgs } from '../../src/cli/serve-options.js';
import { bindUdp } from '../../src/net/udp.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `benchboot ARGS` through `main` with captured stdout and stderr. */
export async function runCli(args: string[]): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(args, { stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

/** Parses a serve command line with the real SERVE_OPTIONS table. */
export function parseServeArgs(argv: string[]): ServeArgs {
  return yargs().options(SERVE_OPTIONS).option('json', { type: 'boolean', default: false }).strict().exitProcess(false).parseSync(argv) as unknown as ServeArgs;
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export async function freeUdpPort(): Promise<number> {
  const ep = await bindUdp({ address: '127.0.0.1', port: 0 });
  const port = ep.local().port;
  await ep.close();
  return port;
}
