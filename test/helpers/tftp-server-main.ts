/**
 * A small TFTP server program for e2e tests: createTftpServer over createFsStorage,
 * started inside a test's network namespace. It prints one line `ready <addr>:<port>`
 * on stdout once listening, then one JSON line per server event (`started`,
 * `finished`, `failed`, `refused`, `busy`) so a test can wait for outcomes; logs go
 * to stderr as JSON lines. SIGTERM stops it (transfers get 1 s to finish).
 *
 *     node dist/test/helpers/tftp-server-main.js --root DIR --listen 10.77.0.1 \
 *       [--port 69] [--uploads DIR] [--overwrite] [--max-upload-bytes N] \
 *       [--alternate DIR]... [--default 'SEP*.cnf.xml=XMLDefault.cnf.xml']... \
 *       [--case-insensitive] [--map-file FILE] [--max-transfers N] [--max-per-client N] [--timeout-ms N] [--busy-poll-us N]
 *       [--workers N]   (download threads; default the cores available, as `serve`; 0 = the main thread)
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createFsStorage, loadRemapFile } from '../../src/tftp/fs-storage.js';
import { createTftpServer, type TftpServerEvents } from '../../src/tftp/server.js';
import { createLogger } from '../../src/log.js';
import type { DefaultRule } from '../../src/tftp/resolve-path.js';

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, not ${value}`);
  return n;
}

function parseDefault(spec: string): DefaultRule {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new Error(`--default must be PATTERN=FILE, not ${spec}`);
  return { pattern: spec.slice(0, eq), file: spec.slice(eq + 1) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    strict: true,
    options: {
      root: { type: 'string' },
      listen: { type: 'string' },
      port: { type: 'string', default: '69' },
      uploads: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      'max-upload-bytes': { type: 'string' },
      alternate: { type: 'string', multiple: true, default: [] },
      default: { type: 'string', multiple: true, default: [] },
      'case-insensitive': { type: 'boolean', default: false },
      'map-file': { type: 'string' },
      'max-transfers': { type: 'string' },
      'max-per-client': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'busy-poll-us': { type: 'string' },
      workers: { type: 'string', default: String(availableParallelism()) },
    },
  });
  if (!values.root || !values.listen) throw new Error('--root and --listen are required');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, not ${values.port}`);
  const maxUploadBytes = positiveInt(values['max-upload-bytes'], 'max-upload-bytes');

  const storage = await createFsStorage({
    root: values.root,
    alternates: values.alternate,
    defaults: values.default.map(parseDefault),
    caseInsensitive: values['case-insensitive'],
    ...(values['map-file'] ? { remap: await loadRemapFile(values['map-file']) } : {}),
    ...(values.uploads ? { uploads: { dir: values.uploads, overwrite: values.overwrite, ...(maxUploadBytes ? { maxBytes: maxUploadBytes } : {}) } } : {}),
  });
  const logger = createLogger({ json: true, stream: process.stderr, level: 'info' });
  const maxTransfers = positiveInt(values['max-transfers'], 'max-transfers');
  const maxPerClient = positiveInt(values['max-per-client'], 'max-per-client');
  const timeoutMs = positiveInt(values['timeout-ms'], 'timeout-ms');
  const server = createTftpServer({
    storage,
    logger,
    listen: [{ address: values.listen, port }],
    ...(maxTransfers ? { maxTransfers } : {}),
    ...(maxPerClient ? { maxPerClient } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(values['busy-poll-us'] !== undefined ? { busyPollMicros: Number(values['busy-poll-us']) } : {}),
    workers: Number(values.workers),
  });
  const report = <K extends keyof TftpServerEvents>(event: K): void => {
    server.on(event, (e: TftpServerEvents[K]) => process.stdout.write(`${JSON.stringify({ event, ...e })}\n`));
  };
  for (const event of ['started', 'finished', 'failed', 'refused', 'busy'] as const) report(event);
  await server.start();
  const [bound] = server.addresses();
  process.stdout.write(`ready ${bound?.address ?? values.listen}:${bound?.port ?? port}\n`);
  process.once('SIGTERM', () => {
    server.stop(1000).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`tftp-server-main: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
