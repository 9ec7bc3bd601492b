/**
 * Datagrams a transfer did not expect: RFC 1350 §4 strangers (another source than the
 * transfer's peer) get ERROR 5, and the peer's own ERROR is read into code and message.
 */
import { DecodeError } from '../net/bytes.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import { TFTP_ERROR } from './error-codes.js';
import { TFTP_OPCODE, decodeTftpPacket, encodeError, readOpcode } from './packet.js';
import type { DriverHooks } from './transfer-driver.js';

/**
 * RFC 1350 §4: a datagram from an unknown TID gets ERROR 5 and does not disturb the
 * transfer; an ERROR is never answered with an ERROR.
 */
export function answerStranger(endpoint: UdpEndpoint, msg: Uint8Array, from: UdpPeer, hooks: DriverHooks): void {
  hooks.onStranger?.(from);
  if (readOpcode(msg) === TFTP_OPCODE.error) return;
  endpoint.post(encodeError(TFTP_ERROR.unknownTransferId, 'unknown transfer ID'), from, (err) => {
    if (err) hooks.onSendError?.(err);
  });
}

/** The code and message of the peer's ERROR datagram (-1 and '' when it does not decode). */
export function peerError(msg: Uint8Array): { code: number; message: string } {
  try {
    const p = decodeTftpPacket(msg).value;
    if (p.kind === 'error') return { code: p.code, message: p.message };
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
  return { code: -1, message: '' };
}
