/**
 * Syslog messages as devices send them over UDP (RFC 5426): a priority `<PRI>`
 * (RFC 5424 §6.2.1, RFC 3164 §4.1.1: facility × 8 + severity, 0..191), then text —
 * RFC 3164's `TIMESTAMP HOSTNAME TAG: MSG` from phones and switches, or RFC 5424's
 * `1 TIMESTAMP HOSTNAME APP PROCID MSGID SD MSG`. The text after the priority is
 * kept as it came (decoded as UTF-8, trailing line ends and NULs dropped): that is
 * what a technician reads in Tftpd64's syslog tab. A datagram without a valid
 * priority is kept whole with priority 13 (user.notice), as RFC 3164 §4.3.3 has a
 * relay do: a device's log line is never thrown away for its framing. Only an
 * empty datagram is refused. Pure: no sockets here.
 */

/** The largest priority value: facility 23 (local7) × 8 + severity 7 (debug). */
export const MAX_PRIORITY = 191;

/** One syslog message. */
export interface SyslogMessage {
  /** 0..23 (RFC 5424 §6.2.1 table 1). */
  readonly facility: number;
  /** 0 emergency .. 7 debug (RFC 5424 §6.2.1 table 2). */
  readonly severity: number;
  readonly text: string;
}

/** The priority given to a message without a valid one (RFC 3164 §4.3.3): user.notice. */
export const DEFAULT_PRIORITY = 13;

const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Bytes of text kept from one datagram (the timeline keeps fewer characters still). */
export const MAX_TEXT_BYTES = 4096;
/** `<` + at most three digits + `>`. */
const MAX_PRI_LENGTH = 5;

/** Reads the `<PRI>` at the start of `data`: the value and where the text starts. */
function readPriority(data: Uint8Array): { value: number; textAt: number } | undefined {
  if (data[0] !== LESS_THAN) return undefined;
  let value = 0;
  let i = 1;
  for (; i < data.length && i < MAX_PRI_LENGTH; i++) {
    const c = data[i] ?? 0;
    if (c === GREATER_THAN) break;
    if (c < DIGIT_0 || c > DIGIT_9) return undefined;
    // RFC 5424 §6.2.1: no leading zeros except for the value 0 itself.
    if (i === 2 && data[1] === DIGIT_0) return undefined;
    value = value * 10 + (c - DIGIT_0);
  }
  if (i === 1 || data[i] !== GREATER_THAN || value > MAX_PRIORITY) return undefined;
  return { value, textAt: i + 1 };
}

/** Parses one syslog datagram (see the module comment); undefined when it holds no text. */
export function parseSyslog(data: Uint8Array): SyslogMessage | undefined {
  const pri = readPriority(data) ?? { value: DEFAULT_PRIORITY, textAt: 0 };
  let end = Math.min(data.length, pri.textAt + MAX_TEXT_BYTES);
  while (end > pri.textAt && (data[end - 1] === 0x0a || data[end - 1] === 0x0d || data[end - 1] === 0x00)) end--;
  const text = Buffer.from(data.buffer, data.byteOffset + pri.textAt, end - pri.textAt).toString('utf8');
  if (text.trim() === '') return undefined;
  return { facility: pri.value >> 3, severity: pri.value & 7, text };
}
