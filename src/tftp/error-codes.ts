/**
 * TFTP error codes (RFC 1350 §5, code 8 from RFC 2347) with readable names.
 */
export const TFTP_ERROR = {
  notDefined: 0,
  fileNotFound: 1,
  accessViolation: 2,
  diskFull: 3,
  illegalOperation: 4,
  unknownTransferId: 5,
  fileExists: 6,
  noSuchUser: 7,
  optionNegotiation: 8,
} as const;

/** One of the wire error codes 0-8. */
export type TftpErrorCode = (typeof TFTP_ERROR)[keyof typeof TFTP_ERROR];
