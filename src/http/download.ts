/**
 * GET and HEAD: the storage's one lookup (the same `openRead` a TFTP RRQ calls:
 * root, alternates, default files, remaps, templates rendered for the requester,
 * path safety), then the body:
 *
 * - a file on disk goes through @fastify/static's `sendFile` (the `send` module):
 *   ranges (206, 416), HEAD, ETag and Last-Modified with conditional requests (304,
 *   412), exact Content-Length, streamed in reads of 1 MiB or 64 KiB (read-size.ts),
 *   never whole. The file must still be the one the lookup checked (device and inode),
 *   else 404;
 * - a template rendered for the device is sent from memory with its exact length and
 *   a strong ETag (If-None-Match answers 304); it has no Last-Modified, and a Range on
 *   it is ignored (RFC 9110 §14.2 lets a server send the whole representation).
 */
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { SendOptions } from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReadSource } from '../tftp/storage.js';
import type { HttpLedger, HttpTransfer } from './ledger.js';
import type { ReadSizes } from './read-size.js';
import { HTTP_STATUS } from './status-codes.js';

/** What a download needs from the server around it. */
export interface DownloadContext {
  readonly ledger: HttpLedger;
  readonly readSizes: ReadSizes;
}

/** Thrown from send's onFile when the file on disk is no longer the one looked up. */
class FileChangedError extends Error {
  readonly statusCode = HTTP_STATUS.notFound;
}

/** The strong ETag of bytes held in memory. */
export function memoryEtag(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
}

/** True when an If-None-Match list names `etag` (or is `*`). */
function matchesAny(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** Reads a source held in memory whole (renders are small; their size is known). */
async function wholeOf(source: ReadSource): Promise<Uint8Array> {
  return source.size === 0 ? new Uint8Array(0) : source.read(0, source.size);
}

/** Sends a render from memory (see the module comment). */
async function sendMemory(request: FastifyRequest, reply: FastifyReply, source: ReadSource): Promise<FastifyReply> {
  const bytes = await wholeOf(source);
  const etag = memoryEtag(bytes);
  reply.header('ETag', etag).header('Cache-Control', 'no-cache').type('application/octet-stream');
  if (matchesAny(request.headers['if-none-match'], etag)) return reply.code(HTTP_STATUS.notModified).send();
  reply.header('Content-Length', String(bytes.length));
  return reply.code(HTTP_STATUS.ok).send(request.method === 'HEAD' ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
}

/** Sends a file on disk through `send` (see the module comment). */
function sendDisk(reply: FastifyReply, source: ReadSource, ctx: DownloadContext): FastifyReply {
  const file = source.localFile;
  if (file === undefined) throw new Error('sendDisk needs a file on disk');
  const readBytes = ctx.readSizes.take();
  reply.raw.once('close', () => ctx.readSizes.give(readBytes));
  // `highWaterMark` is not in @fastify/static's types but is handed on to `send` (its read stream's chunk size).
  const options: SendOptions & { readonly highWaterMark: number } = {
    acceptRanges: true,
    cacheControl: false,
    dotfiles: 'allow',
    etag: true,
    lastModified: true,
    index: false,
    highWaterMark: readBytes,
    onFile: (_path, stat) => {
      if (stat.ino !== file.ino || stat.dev !== file.dev) throw new FileChangedError(`File not found: ${source.displayName}`);
    },
  };
  return reply.sendFile(basename(file.path), dirname(file.path), options);
}

/** Reports the transfer when its response closes: finished when every byte went out, else failed. */
function whenClosed(request: FastifyRequest, reply: FastifyReply, t: HttpTransfer, ctx: DownloadContext, source: ReadSource): void {
  const socket = request.raw.socket;
  const before = socket.bytesWritten;
  reply.raw.once('close', () => {
    const { ledger } = ctx;
    ledger.release(t);
    source.close().catch(() => undefined);
    const isComplete = reply.raw.writableFinished;
    const length = Number(reply.getHeader('content-length') ?? 0);
    const bytes = isComplete ? (request.method === 'HEAD' ? 0 : length) : Math.max(0, socket.bytesWritten - before);
    ledger.counters.bytesSent += bytes;
    if (isComplete) {
      ledger.counters.finished++;
      ledger.emit('finished', { id: t.id, peer: t.peer, file: t.file, direction: 'read', bytes, ms: ledger.elapsed(t), status: reply.statusCode });
      return;
    }
    ledger.counters.failed++;
    const reason = 'the client closed the connection before the last byte';
    ledger.emit('failed', { id: t.id, peer: t.peer, file: t.file, direction: 'read', reason, outcome: { kind: 'aborted', code: 0, message: reason }, bytes });
  });
}

/** Answers an admitted GET/HEAD whose file the storage opened. */
export async function sendSource(request: FastifyRequest, reply: FastifyReply, t: HttpTransfer, source: ReadSource, ctx: DownloadContext): Promise<FastifyReply> {
  t.size = source.size;
  ctx.ledger.emit('started', { id: t.id, peer: t.peer, file: t.file, direction: 'read', size: source.size, origin: source.origin });
  whenClosed(request, reply, t, ctx, source);
  return source.localFile === undefined ? sendMemory(request, reply, source) : sendDisk(reply, source, ctx);
}
