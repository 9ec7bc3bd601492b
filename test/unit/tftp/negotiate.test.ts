/**
 * Option negotiation (RFC 2347, 2348, 2349, 7440) as table cases: each case names the
 * rule and the edge it covers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TFTP_ERROR } from '../../../src/tftp/error-codes.js';
import { blksizeCap, negotiate, type NegotiationPolicy, type Negotiation } from '../../../src/tftp/negotiate.js';
import type { TftpOption } from '../../../src/tftp/packet.js';

const rrq = (options: [string, string][], mode = 'octet') => ({
  kind: 'rrq' as const,
  mode,
  options: options.map(([name, value]): TftpOption => ({ name, value })),
});
const wrq = (options: [string, string][], mode = 'octet') => ({ ...rrq(options, mode), kind: 'wrq' as const });

function ok(n: Negotiation): Extract<Negotiation, { kind: 'ok' }> {
  assert.equal(n.kind, 'ok', n.kind === 'error' ? n.message : '');
  if (n.kind !== 'ok') throw new Error('unreachable');
  return n;
}

function refused(n: Negotiation, code: number): void {
  assert.equal(n.kind, 'error');
  if (n.kind === 'error') assert.equal(n.code, code, n.message);
}

interface Case {
  readonly name: string;
  readonly request: ReturnType<typeof rrq> | ReturnType<typeof wrq>;
  readonly policy?: NegotiationPolicy;
  readonly blksize?: number;
  readonly windowsize?: number;
  readonly oack?: [string, string][];
  readonly errorCode?: number;
}

const CASES: Case[] = [
  { name: 'RFC 1350: no options → blksize 512, lock-step, no OACK', request: rrq([]), blksize: 512, windowsize: 1, oack: [] },
  { name: 'RFC 2348: blksize 1468 accepted as asked', request: rrq([['blksize', '1468']]), blksize: 1468, oack: [['blksize', '1468']] },
  { name: 'RFC 2348: blksize 8 (minimum) accepted', request: rrq([['blksize', '8']]), blksize: 8, oack: [['blksize', '8']] },
  { name: 'RFC 2347/2348: blksize 7 cannot be honoured → left out of the OACK, 512', request: rrq([['blksize', '7']]), blksize: 512, oack: [] },
  { name: 'RFC 2348: blksize 65464 (maximum) accepted', request: rrq([['blksize', '65464']]), blksize: 65464, oack: [['blksize', '65464']] },
  { name: 'RFC 2348: blksize 65535 lowered to 65464', request: rrq([['blksize', '65535']]), blksize: 65464, oack: [['blksize', '65464']] },
  { name: 'RFC 2348: blksize lowered to the configured max', request: rrq([['blksize', '8192']]), policy: { maxBlksize: 1468 }, blksize: 1468, oack: [['blksize', '1468']] },
  { name: 'RFC 2348: blksize capped at MTU - 32 (1500 → 1468)', request: rrq([['blksize', '65464']]), policy: { mtu: 1500 }, blksize: 1468 },
  { name: 'RFC 2347/2348: non-numeric blksize → left out, the other options still answered', request: rrq([['blksize', '1k'], ['windowsize', '4']]), blksize: 512, windowsize: 4, oack: [['windowsize', '4']] },
  { name: 'RFC 2347/2348: negative blksize → left out', request: rrq([['blksize', '-512']]), blksize: 512, oack: [] },
  { name: 'RFC 2347 §2: option names are case-insensitive; the OACK echoes the client spelling', request: rrq([['BLKSIZE', '1024']]), blksize: 1024, oack: [['BLKSIZE', '1024']] },
  { name: 'RFC 2347 §2: unknown options are ignored and not acknowledged', request: rrq([['multicast', ''], ['blksize', '1024']]), blksize: 1024, oack: [['blksize', '1024']] },
  { name: 'RFC 2347 §2: only unknown options → no OACK, plain transfer', request: rrq([['rollover', '0']]), blksize: 512, oack: [] },
  { name: 'RFC 2347: a repeated option counts once (first wins)', request: rrq([['blksize', '1024'], ['blksize', '2048']]), blksize: 1024, oack: [['blksize', '1024']] },
  { name: 'RFC 2349 §4: tsize 0 on RRQ answered with the file size', request: rrq([['tsize', '0']]), policy: { fileSize: 345455 }, oack: [['tsize', '345455']] },
  { name: 'RFC 2349 §4: tsize not answered in netascii (wire size differs)', request: rrq([['tsize', '0']], 'netascii'), policy: { fileSize: 10 }, oack: [] },
  { name: 'RFC 2349 §4: WRQ tsize within the upload limit is echoed', request: wrq([['tsize', '100000']]), policy: { maxUploadBytes: 1 << 20 }, oack: [['tsize', '100000']] },
  { name: 'RFC 2349 §4: WRQ tsize over the upload limit → error 3', request: wrq([['tsize', '2000000']]), policy: { maxUploadBytes: 1 << 20 }, errorCode: TFTP_ERROR.diskFull },
  { name: 'RFC 2349 §4: RRQ tsize "enable" (atftp) is ignored and the real size answered', request: rrq([['tsize', 'enable']]), policy: { fileSize: 4096 }, oack: [['tsize', '4096']] },
  { name: 'RFC 2349 §4: RRQ tsize non-zero is ignored and the real size answered', request: rrq([['tsize', '99999999']]), policy: { fileSize: 12 }, oack: [['tsize', '12']] },
  { name: 'RFC 2349 §4: RRQ tsize empty is ignored and the real size answered', request: rrq([['tsize', '']]), policy: { fileSize: 0 }, oack: [['tsize', '0']] },
  { name: 'RFC 2347/2349: WRQ non-numeric tsize → left out, upload goes ahead', request: wrq([['tsize', 'big'], ['blksize', '1024']]), policy: { maxUploadBytes: 10 }, blksize: 1024, oack: [['blksize', '1024']] },
  { name: 'RFC 2349 §4: WRQ tsize over the limit stays error 3 even after an unhonourable option', request: wrq([['timeout', 'x'], ['tsize', '11']]), policy: { maxUploadBytes: 10 }, errorCode: TFTP_ERROR.diskFull },
  { name: 'RFC 2349 §2: timeout 1..255 accepted', request: rrq([['timeout', '3']]), oack: [['timeout', '3']] },
  { name: 'RFC 2347/2349 §2: timeout 0 → left out', request: rrq([['timeout', '0'], ['blksize', '1024']]), blksize: 1024, oack: [['blksize', '1024']] },
  { name: 'RFC 2347/2349 §2: timeout 256 → left out', request: rrq([['timeout', '256']]), oack: [] },
  { name: 'RFC 2349 §2: timeout at the server cap → granted as asked', request: rrq([['timeout', '5']]), policy: { maxTimeoutSeconds: 5 }, oack: [['timeout', '5']] },
  { name: 'RFC 2349 §2: timeout 255 over the cap → declined (left out: the OACK may not answer another value)', request: rrq([['timeout', '255'], ['blksize', '1024']]), policy: { maxTimeoutSeconds: 5 }, blksize: 1024, oack: [['blksize', '1024']] },
  { name: 'RFC 2349 §2: timeout one over the cap on WRQ → declined too', request: wrq([['timeout', '6']]), policy: { maxTimeoutSeconds: 5 }, oack: [] },
  { name: 'RFC 7440 §3: windowsize 4 accepted', request: rrq([['windowsize', '4']]), windowsize: 4, oack: [['windowsize', '4']] },
  { name: 'RFC 7440 §3: windowsize lowered to the default cap of 64', request: rrq([['windowsize', '65535']]), windowsize: 64, oack: [['windowsize', '64']] },
  { name: 'RFC 7440 §3: windowsize lowered to a configured cap', request: rrq([['windowsize', '16']]), policy: { maxWindowsize: 1 }, windowsize: 1, oack: [['windowsize', '1']] },
  {
    name: 'RFC 7440 §3: a window byte limit lowers windowsize to fit blksize × windowsize (blksize after windowsize)',
    request: rrq([['windowsize', '16'], ['blksize', '8192']]),
    policy: { maxWindowBytes: 65536 },
    blksize: 8192,
    windowsize: 8,
    oack: [['windowsize', '8'], ['blksize', '8192']],
  },
  {
    name: 'RFC 7440 §3: a window byte limit below one block still allows lock-step (windowsize 1)',
    request: rrq([['blksize', '65464'], ['windowsize', '4']]),
    policy: { maxWindowBytes: 65536 },
    blksize: 65464,
    windowsize: 1,
    oack: [['blksize', '65464'], ['windowsize', '1']],
  },
  {
    name: 'RFC 7440 §3: a minimum of 2 blocks keeps 65464-byte blocks windowed under a 64 KiB limit',
    request: rrq([['blksize', '65464'], ['windowsize', '16']]),
    policy: { maxWindowBytes: 65536, minWindowBlocks: 2 },
    blksize: 65464,
    windowsize: 2,
    oack: [['blksize', '65464'], ['windowsize', '2']],
  },
  {
    name: 'RFC 7440 §3: the block minimum never raises windowsize above what the client asked',
    request: rrq([['blksize', '65464'], ['windowsize', '1']]),
    policy: { maxWindowBytes: 65536, minWindowBlocks: 2 },
    blksize: 65464,
    windowsize: 1,
    oack: [['blksize', '65464'], ['windowsize', '1']],
  },
  {
    name: 'RFC 7440 §3: the block minimum does not widen windows the byte limit already allows (8192 → 8)',
    request: rrq([['windowsize', '64'], ['blksize', '8192']]),
    policy: { maxWindowBytes: 65536, minWindowBlocks: 2 },
    blksize: 8192,
    windowsize: 8,
    oack: [['windowsize', '8'], ['blksize', '8192']],
  },
  {
    name: 'RFC 7440 §3: a window that fits the byte limit is kept',
    request: rrq([['blksize', '1468'], ['windowsize', '16']]),
    policy: { maxWindowBytes: 65536 },
    blksize: 1468,
    windowsize: 16,
    oack: [['blksize', '1468'], ['windowsize', '16']],
  },
  { name: 'RFC 2347/7440 §3: windowsize 0 → left out, lock-step', request: rrq([['windowsize', '0']]), windowsize: 1, oack: [] },
  { name: 'RFC 2347/7440 §3: windowsize 65536 → left out, lock-step', request: rrq([['windowsize', '65536']]), windowsize: 1, oack: [] },
  { name: 'RFC 1350 §5: mode is case-insensitive (NETASCII)', request: rrq([], 'NETASCII'), blksize: 512 },
  { name: 'RFC 1350 §5: mail mode is refused with error 4', request: rrq([], 'mail'), errorCode: TFTP_ERROR.illegalOperation },
  { name: 'RFC 1350 §5: an unknown mode is refused with error 4', request: rrq([], 'binary'), errorCode: TFTP_ERROR.illegalOperation },
  {
    name: 'UEFI PXE request (tsize, blksize, windowsize) gets all three in request order',
    request: rrq([['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']]),
    policy: { fileSize: 1052672 },
    blksize: 1468,
    windowsize: 4,
    oack: [['tsize', '1052672'], ['blksize', '1468'], ['windowsize', '4']],
  },
];

for (const c of CASES) {
  test(c.name, () => {
    const n = negotiate(c.request, c.policy);
    if (c.errorCode !== undefined) {
      refused(n, c.errorCode);
      return;
    }
    const good = ok(n);
    if (c.blksize !== undefined) assert.equal(good.params.blksize, c.blksize);
    if (c.windowsize !== undefined) assert.equal(good.params.windowsize, c.windowsize);
    if (c.oack !== undefined) assert.deepEqual(good.oack.map((o) => [o.name, o.value]), c.oack);
  });
}

test('negotiated values land in the params: timeout in ms, tsize, mode lower-cased', () => {
  const good = ok(negotiate(rrq([['timeout', '2'], ['tsize', '0']], 'Octet'), { fileSize: 99 }));
  assert.deepEqual(good.params, { mode: 'octet', blksize: 512, windowsize: 1, timeoutMs: 2000, tsize: 99 });
});

test('blksizeCap: the smallest of 65464, the configured max and MTU - 32', () => {
  assert.equal(blksizeCap({}), 65464);
  assert.equal(blksizeCap({ maxBlksize: 8192 }), 8192);
  assert.equal(blksizeCap({ maxBlksize: 8192, mtu: 1500 }), 1468);
  assert.equal(blksizeCap({ mtu: 9000 }), 8968);
});
