/**
 * The upload inbox's free-space floor on a real small file system (issue 16 point 2),
 * run by test/integration/tftp-upload-floor.test.ts inside its own mount namespace with
 * a small file system mounted at DIR:
 *
 *   node dist/test/helpers/upload-floor-main.js DIR FLOOR_BYTES
 *
 * Serves TFTP on 127.0.0.1 with DIR/backups as the inbox and FLOOR_BYTES as the floor,
 * then, with benchboot's own client: an upload whose tsize would go below the floor, one
 * without tsize larger than the disk, and a small one. Prints one JSON line with what
 * the disk said (statfs) and what happened, including the server's log lines.
 */
import { mkdir, readdir, statfs } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createFsStorage } from '../../src/tftp/fs-storage.js';
import { createTftpServer } from '../../src/tftp/server.js';
import { tftpPut, TftpClientError } from '../../src/tftp/client.js';
import { createLogger } from '../../src/log.js';

const [dir = '', floorText = ''] = process.argv.slice(2);
const minFreeBytes = Number(floorText);

/** An upload's end: the ERROR code or 'saved', and the bytes sent by then. */
async function put(port: number, file: string, data: Uint8Array, tsize: boolean): Promise<{ result: number | 'saved'; sentBytes: number }> {
  let sentBytes = 0;
  try {
    await tftpPut({ host: '127.0.0.1', port, file, data, tsize, blksize: 1468, onProgress: (p) => (sentBytes = p.bytes) });
    return { result: 'saved', sentBytes };
  } catch (err) {
    if (err instanceof TftpClientError && err.tftpCode !== undefined) return { result: err.tftpCode, sentBytes };
    throw err;
  }
}

async function main(): Promise<void> {
  const root = join(dir, 'root');
  const inbox = join(dir, 'backups');
  await mkdir(root);
  await mkdir(inbox);
  const fs = await statfs(inbox);
  const defaults = await createFsStorage({ root, uploads: { dir: inbox } });
  const defaultFloor = defaults.stats().uploadRoom?.minFreeBytes;
  const stream = new PassThrough();
  let log = '';
  stream.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const storage = await createFsStorage({ root, uploads: { dir: inbox, minFreeBytes } });
  const server = createTftpServer({ storage, logger: createLogger({ json: true, stream, level: 'info' }), listen: [{ address: '127.0.0.1', port: 0 }], timeoutMs: 200, retries: 2 });
  await server.start();
  const port = server.addresses()[0]?.port ?? 0;
  const availBytes = fs.bavail * fs.bsize;
  const upFront = await put(port, 'firmware.bin', randomBytes(availBytes - minFreeBytes + 64 * 1024), true);
  const midway = await put(port, 'firmware.bin', randomBytes(fs.bfree * fs.bsize), false);
  const filesAfterRefusals = await readdir(inbox);
  const small = await put(port, 'router1-confg', Buffer.from('hostname r1\n'), true);
  await server.stop(0);
  const reasons = log
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { message?: string; reason?: string })
    .filter((l) => l.message?.startsWith('request refused') === true || l.message === 'transfer failed')
    .map((l) => l.reason ?? l.message ?? '');
  const out = { fsBytes: fs.blocks * fs.bsize, availBytes, rootFreeBytes: fs.bfree * fs.bsize, defaultFloor, upFront, midway, filesAfterRefusals, small: small.result, filesAfter: await readdir(inbox), reasons };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
