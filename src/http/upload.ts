/**
 * PUT: an upload into the same inbox as a TFTP WRQ (src/tftp/uploads.ts), through
 * the storage's one `openWrite`: the same remaps, the same flat upload directory, the
 * same size limit (a Content-Length over it is refused before a byte is read, and
 * every write is checked), written to a temp file and renamed into place only when the
 * body is complete, every version kept unless `--overwrite-uploads`. A body cut short
 * (the client went away, or fewer bytes than its Content-Length) leaves nothing.
 * Answers 201 naming the stored file, 403 when uploads are off, 413 over the per-file
 * limit, 507 when the inbox's quota, the free-space floor or the disk has no room.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTftpStorageError } from '../tftp/storage-error.js';
import type { UploadTarget } from '../tftp/storage.js';
import type { HttpLedger, HttpTransfer } from './ledger.js';
import { HTTP_STATUS, statusOfStorageCode } from './status-codes.js';

/** The Content-Length of a request, when it sent a valid one. */
export function contentLengthOf(request: FastifyRequest): number | undefined {
  const text = request.headers['content-length'];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Writes the request body into `target` in order; returns the bytes written. */
async function writeBody(request: FastifyRequest, target: UploadTarget, ledger: HttpLedger): Promise<number> {
  let offset = 0;
  for await (const chunk of request.raw) {
    if (!(chunk instanceof Uint8Array)) throw new Error('request body chunk is not bytes');
    await target.write(offset, chunk);
    offset += chunk.length;
    ledger.counters.bytesReceived += chunk.length;
  }
  return offset;
}

/** The failure of an upload in words and as the status to answer (when the client is still there). */
function failureOf(err: unknown, file: string): { readonly status: number; readonly message: string } {
  if (isTftpStorageError(err)) return { status: statusOfStorageCode(err.tftpCode, 'write', err.isNoRoom), message: err.message };
  return { status: HTTP_STATUS.badRequest, message: `Upload of ${file} ended early: ${err instanceof Error ? err.message : String(err)}` };
}

/** Receives an admitted PUT whose upload the storage opened. */
export async function receiveUpload(request: FastifyRequest, reply: FastifyReply, t: HttpTransfer, target: UploadTarget, ledger: HttpLedger): Promise<FastifyReply> {
  const expected = contentLengthOf(request);
  if (expected !== undefined) t.size = expected;
  ledger.emit('started', { id: t.id, peer: t.peer, file: t.file, direction: 'write', ...(expected === undefined ? {} : { size: expected }) });
  let bytes = 0;
  try {
    bytes = await writeBody(request, target, ledger);
    if (expected !== undefined && bytes !== expected) throw new Error(`${bytes} of ${expected} bytes arrived`);
    const { savedAs, pruned } = await target.commit();
    ledger.release(t);
    ledger.counters.finished++;
    ledger.emit('finished', { id: t.id, peer: t.peer, file: t.file, direction: 'write', bytes, ms: ledger.elapsed(t), status: HTTP_STATUS.created, savedAs, ...(pruned ? { pruned } : {}) });
    return reply.code(HTTP_STATUS.created).type('text/plain; charset=utf-8').send(`stored as ${savedAs}\n`);
  } catch (err) {
    await target.abort();
    ledger.release(t);
    const { status, message } = failureOf(err, t.file);
    ledger.counters.failed++;
    ledger.emit('failed', { id: t.id, peer: t.peer, file: t.file, direction: 'write', reason: message, outcome: { kind: 'aborted', code: 0, message }, bytes });
    // The rest of the body is not read: close the connection after the answer.
    return reply.code(status).header('Connection', 'close').type('text/plain; charset=utf-8').send(`${message}\n`);
  }
}
