/**
 * Shared by the TFTP e2e tests: start the standalone TFTP server helper
 * (test/helpers/tftp-server-main.ts) inside a lab namespace and wait for its ready
 * line; every later stdout line is one JSON transfer event.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns.js';

const HELPER = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'tftp-server-main.js');

/** Hex SHA-256 of some bytes. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Starts the server on `address:69` in `ns` with extra helper arguments; resolves
 * once it is ready. Event lines collect in `events`. The lab kills it by PID.
 */
export async function startTftpServer(ns: Netns, address: string, args: readonly string[], maxMs: number): Promise<{ events: string[] }> {
  const child = ns.spawn(process.execPath, [HELPER, '--listen', address, '--port', '69', ...args], { maxMs });
  const events: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ready ')) resolve();
        else events.push(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`TFTP server exited with ${code}: ${stderr}`)));
  });
  return { events };
}
