/**
 * The DHCPv4 / BOOTP message codec (RFC 951, RFC 2131 §2, RFC 2132, RFC 3396): the
 * message and its accessors (./message.ts), decoding (./packet-decode.ts) and encoding
 * (./packet-encode.ts), re-exported here as one codec.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+---------------+---------------+
 * |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
 * +---------------+---------------+---------------+---------------+
 * |                            xid (4)                            |
 * +-------------------------------+-------------------------------+
 * |           secs (2)            |           flags (2)           |
 * +-------------------------------+-------------------------------+
 * |  ciaddr (4) | yiaddr (4) | siaddr (4) | giaddr (4)            |
 * +---------------------------------------------------------------+
 * |  chaddr (16) | sname (64) | file (128)                         |
 * +---------------------------------------------------------------+
 * |  magic cookie 99.130.83.99 (4) | options (variable) ... End   |
 * +---------------------------------------------------------------+
 * ```
 *
 * Decisions:
 * - Options are kept in wire order with their raw bytes, so unknown options survive
 *   and option 82 can be echoed byte for byte (RFC 3046 §2.2). Pad and End are
 *   framing and are not kept. `getOption` joins repeated codes (RFC 3396 §5); the
 *   encoder splits values over 255 bytes.
 * - With option 52 (overload) the options in `file` and then `sname` are appended to
 *   `options` in that order (RFC 3396 §5: options field, file, sname), and the field
 *   itself reads as "". Option 52 itself is framing and is left out of `options`.
 * - A datagram with no magic cookie at offset 236 is plain BOOTP (RFC 951): it decodes
 *   with `isBootp = true` and no options (its vendor area is kept in `vendorArea`)
 *   rather than being rejected; the engine decides what to do with it.
 * - A cookie with an options area that has no End option is a DecodeError.
 * - The encoder refuses what it cannot write faithfully (sname over 64 bytes, file over
 *   128, chaddr over 16, options that do not fit) with a RangeError; it never truncates.
 *   It pads to at least 300 bytes (RFC 1542 §2.1) and keeps under `maxLength`; when the
 *   options do not fit it uses `file`/`sname` for options (option 52) only if those
 *   fields are empty.
 */
export * from './message.js';
export * from './packet-decode.js';
export * from './packet-encode.js';
