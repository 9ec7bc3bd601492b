/**
 * The client's reading of the server's first answer: an OACK is checked against what
 * was asked (RFC 2347 §2: no option that was not requested, no value above the one
 * asked), an ERROR ends the request.
 */
import { BLKSIZE_DEFAULT, BLKSIZE_MIN, parseOptionNumber } from './negotiate.js';
import type { TftpOption, TftpPacket } from './packet.js';
import { TftpClientError } from './tftp-error.js';

export function acceptOack(
  requested: readonly TftpOption[],
  oack: readonly TftpOption[],
): { blksize: number; windowsize: number; tsize?: number; timeoutMs?: number } | { error: string } {
  const asked = new Map(requested.map((o) => [o.name.toLowerCase(), o.value]));
  let blksize = BLKSIZE_DEFAULT;
  let windowsize = 1;
  let tsize: number | undefined;
  let timeoutMs: number | undefined;
  for (const o of oack) {
    const name = o.name.toLowerCase();
    const mine = asked.get(name);
    if (mine === undefined) return { error: `server acknowledged option ${o.name} that was not requested` };
    const v = parseOptionNumber(o.value);
    if (v === undefined) return { error: `server sent a non-numeric ${o.name}: ${o.value}` };
    const askedN = Number(mine);
    switch (name) {
      case 'blksize':
        if (v < BLKSIZE_MIN || v > askedN) return { error: `server blksize ${v} is not 8..${askedN}` };
        blksize = v;
        break;
      case 'windowsize':
        if (v < 1 || v > askedN) return { error: `server windowsize ${v} is not 1..${askedN}` };
        windowsize = v;
        break;
      case 'tsize':
        tsize = v;
        break;
      case 'timeout':
        if (v < 1 || v > 255) return { error: `server timeout ${v} is not 1..255` };
        timeoutMs = v * 1000;
        break;
      default:
        return { error: `server acknowledged unknown option ${o.name}` };
    }
  }
  return { blksize, windowsize, ...(tsize !== undefined ? { tsize } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

/** What the server's first answer grants, the negotiated or the RFC 1350 defaults. */
export interface OpeningGrant {
  readonly viaOack: boolean;
  readonly blksize: number;
  readonly windowsize: number;
  readonly tsize?: number;
  readonly timeoutMs: number;
}

/**
 * Reads the server's first answer to a request: an ERROR throws, an OACK is checked
 * against what was asked (RFC 2347 §2), anything else leaves the defaults for the
 * caller to judge (DATA 1 for a read, ACK 0 for a write).
 */
export function openingGrant(p: TftpPacket, requested: readonly TftpOption[], timeoutMs: number): OpeningGrant | { error: string } {
  if (p.kind === 'error') throw new TftpClientError(`server answered error ${p.code}: ${p.message}`, p.code);
  if (p.kind !== 'oack') return { viaOack: false, blksize: BLKSIZE_DEFAULT, windowsize: 1, timeoutMs };
  const granted = acceptOack(requested, p.options);
  if ('error' in granted) return granted;
  return { viaOack: true, ...granted, timeoutMs: granted.timeoutMs ?? timeoutMs };
}
