/**
 * benchboot's own TFTP client (RFC 1350 with blksize, tsize, timeout and windowsize,
 * RFC 2347-2349 and 7440), used by `benchboot tftp get|put` and by the benchmarks.
 *
 *     const r = await tftpGet({ host: '192.0.2.1', file: 'SEP001122334455.cnf.xml', blksize: 1468, windowsize: 16 });
 *     r.data   // the bytes (or pass `output: 'path'` to stream them into a file)
 *     await tftpPut({ host: '192.0.2.1', file: 'router1-confg', input: './router1-confg' });
 *
 * The request goes to `host:port`; the transfer continues with whatever port the server
 * answers from (its TID, RFC 1350 §4). The request is repeated with backoff until the
 * server answers or `retries` run out. An OACK is checked: an option we did not ask for,
 * or a value above the one we asked, is refused with ERROR 8 (RFC 2347 §2).
 */
import type { UdpPeer } from '../net/udp.js';
import { BlockFeed } from './block-feed.js';
import { ChunkWriter } from './chunk-writer.js';
import { openInput, openOutput, type UploadInput } from './client-files.js';
import { giveUp, request, failure, withLine, type Line } from './client-line.js';
import { openingGrant, type OpeningGrant } from './client-oack.js';
import { requestOptions, resolve, type Resolved, type TftpGetOptions, type TftpGetResult, type TftpPutOptions, type TftpTransferSummary } from './client-options.js';
import { TFTP_ERROR } from './error-codes.js';
import { NetasciiDecoder } from './netascii.js';
import { encodeAck, encodeTftpPacket, type TftpOption } from './packet.js';
import { driveReceiver, type ReceiveFlow } from './receive-driver.js';
import { driveSender } from './send-driver.js';
import { TftpError } from './tftp-error.js';
import type { DrivenResult, DrivenTransfer } from './transfer-driver.js';

export { TftpClientError } from './tftp-error.js';
export { acceptOack } from './client-oack.js';
export type { ClientBindFn, TftpClientOptions, TftpGetOptions, TftpGetResult, TftpPutOptions, TftpTransferSummary } from './client-options.js';

/** Downloads a file (RRQ); returns the bytes or writes them to `output`. */
export async function tftpGet(o: TftpGetOptions): Promise<TftpGetResult> {
  const r = resolve(o);
  const server: UdpPeer = { address: o.host, port: r.port };
  const wantTsize = (o.tsize ?? true) && r.mode === 'octet';
  const options = requestOptions(o, r, wantTsize ? 0 : undefined);
  const rrq = encodeTftpPacket({ kind: 'rrq', filename: o.file, mode: r.mode, options });
  const startedAt = r.clock.now();
  const sink = o.output === undefined ? undefined : await openOutput(o.output);
  try {
    const result = await withLine(o, r, async (line) => {
      const first = await request(line, r, server, rrq);
      const peer = first.from;
      const p = first.packet;
      const grant = openingGrant(p, options, r.timeoutMs);
      if ('error' in grant) return giveUp(line, peer, TFTP_ERROR.optionNegotiation, grant.error, `option negotiation failed: ${grant.error}`);
      let firstData: { block: number; data: Uint8Array } | undefined;
      if (!grant.viaOack) {
        if (p.kind !== 'data') return giveUp(line, peer, TFTP_ERROR.illegalOperation, `unexpected ${p.kind}`, `server answered the read request with ${p.kind}`);
        firstData = { block: p.block, data: p.data };
      }
      const download = new Download(o, r, grant, sink ? new ChunkWriter(sink.write) : undefined);
      const done = await download.run(line, peer, firstData);
      return download.summary(done, peer, r.clock.now() - startedAt);
    });
    if (sink) await sink.commit();
    return result;
  } catch (err) {
    if (sink) await sink.discard();
    throw err;
  }
}

/** The receiving side of one download: its bytes in memory or on their way to a file. */
class Download {
  private readonly netascii: NetasciiDecoder | undefined;
  private readonly parts: Uint8Array[] = [];
  private delivered = 0;
  private driven: DrivenTransfer | undefined;

  constructor(
    private readonly o: TftpGetOptions,
    private readonly r: Resolved,
    private readonly grant: OpeningGrant,
    private readonly writer: ChunkWriter | undefined,
  ) {
    this.netascii = r.mode === 'netascii' ? new NetasciiDecoder() : undefined;
  }

  /** Receives every block; throws TftpClientError when the transfer fails. */
  async run(line: Line, peer: UdpPeer, firstData: { block: number; data: Uint8Array } | undefined): Promise<DrivenResult> {
    const { grant, o } = this;
    const tsize = grant.tsize;
    this.driven = driveReceiver({
      endpoint: line.endpoint,
      peer,
      clock: this.r.clock,
      blksize: grant.blksize,
      windowsize: grant.windowsize,
      timeoutMs: grant.timeoutMs,
      maxRetries: this.r.retries,
      opening: grant.viaOack ? encodeAck(0) : undefined,
      ...(firstData ? { firstData } : {}),
      deliver: (data) => this.keep(this.netascii ? this.netascii.push(data) : data),
      ...(this.writer ? { flow: writerFlow(this.writer) } : {}),
      onProgress: (bytes) => {
        o.onProgress?.({ bytes, ...(tsize !== undefined ? { size: tsize } : {}) });
        if (this.writer?.error !== undefined) this.driven?.abort(TFTP_ERROR.diskFull, 'cannot write the local file');
      },
    });
    const done = await this.driven.done;
    if (done.result.kind !== 'ok') throw failure(done.result, `download of ${o.file}`);
    if (this.netascii) this.keep(this.netascii.end());
    if (this.writer) await this.writer.close();
    return done;
  }

  private keep(out: Uint8Array): void {
    this.delivered += out.length;
    if (this.writer) this.writer.push(out);
    else this.parts.push(out);
  }

  /** What the download did, with its bytes unless they went to a file. */
  summary(done: DrivenResult, server: UdpPeer, ms: number): TftpGetResult {
    const { blksize, windowsize, tsize } = this.grant;
    const summary: TftpTransferSummary = {
      bytes: this.delivered,
      blksize,
      windowsize,
      ...(tsize !== undefined ? { tsize } : {}),
      ms,
      retransmits: done.retransmits,
      timeouts: done.timeouts,
      acks: done.acks,
      server,
    };
    return this.writer ? summary : { ...summary, data: Buffer.concat(this.parts, this.delivered) };
  }
}

/** The back-pressure of a download written to a file: ACKs wait while the writer is full. */
function writerFlow(writer: ChunkWriter): ReceiveFlow {
  return {
    isFull: () => writer.isFull(),
    drained: async () => {
      await writer.drained();
      return writer.error === undefined ? undefined : { code: TFTP_ERROR.diskFull, message: 'cannot write the local file' };
    },
  };
}

/** Uploads `data` or the file `input` (WRQ). */
export async function tftpPut(o: TftpPutOptions): Promise<TftpTransferSummary> {
  const r = resolve(o);
  if ((o.data === undefined) === (o.input === undefined)) {
    throw new TftpError('options', 'tftpPut needs exactly one of data or input');
  }
  const input = await openInput(o.data, o.input ?? '');
  try {
    const announce = (o.tsize ?? true) && r.mode === 'octet' ? input.size : undefined;
    const options = requestOptions(o, r, announce);
    return await withLine(o, r, (line) => upload(o, r, line, options, input));
  } finally {
    await input.close();
  }
}

/** Sends the WRQ, checks the answer and sends the blocks. */
async function upload(o: TftpPutOptions, r: Resolved, line: Line, options: TftpOption[], input: UploadInput): Promise<TftpTransferSummary> {
  const wrq = encodeTftpPacket({ kind: 'wrq', filename: o.file, mode: r.mode, options });
  const startedAt = r.clock.now();
  const first = await request(line, r, { address: o.host, port: r.port }, wrq);
  const peer = first.from;
  const p = first.packet;
  const grant = openingGrant(p, options, r.timeoutMs);
  if ('error' in grant) return giveUp(line, peer, TFTP_ERROR.optionNegotiation, grant.error, `option negotiation failed: ${grant.error}`);
  const { blksize, windowsize, timeoutMs } = grant;
  if (!grant.viaOack && !(p.kind === 'ack' && p.block === 0)) {
    return giveUp(line, peer, TFTP_ERROR.illegalOperation, `unexpected ${p.kind}`, `server answered the write request with ${p.kind}`);
  }
  const feed = new BlockFeed(input.read, input.size, r.mode, blksize);
  const driven = driveSender({
    endpoint: line.endpoint,
    peer,
    clock: r.clock,
    feed,
    windowsize,
    timeoutMs,
    maxRetries: r.retries,
    onProgress: (bytes) => o.onProgress?.({ bytes, size: input.size }),
  });
  const done = await driven.done;
  if (done.result.kind !== 'ok') throw failure(done.result, `upload of ${o.file}`);
  return { bytes: done.bytes, blksize, windowsize, ms: r.clock.now() - startedAt, retransmits: done.retransmits, timeouts: done.timeouts, acks: done.acks, server: peer };
}
