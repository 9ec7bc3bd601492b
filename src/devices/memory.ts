/**
 * The memory bound of a device book, by counts: how many timeline entries, file
 * outcomes and wire characters it can hold at most under given retention limits, and
 * a byte estimate from those counts. Everything a record holds is bounded: the
 * timeline by `maxEventsPerDevice`, file outcomes by MAX_FILES_TRACKED, each wire
 * text by TEXT_LIMITS, the records by `maxDevices`.
 */
import { TEXT_LIMITS } from './event.js';
import { MAX_FILES_TRACKED, type RetentionLimits } from './record.js';

/** Upper bounds of what a book holds. */
export interface MemoryBound {
  readonly maxDevices: number;
  readonly maxEvents: number;
  readonly maxFileOutcomes: number;
  /** Bytes if every event is a typical one (a DHCP or file event with short names). */
  readonly typicalBytes: number;
  /** Bytes if every event carries the longest text allowed (a worst case nobody reaches). */
  readonly worstBytes: number;
}

/**
 * Approximate V8 heap cost of one timeline entry with short strings (an object of
 * 6–10 fields plus its slot in the array), and of one record without its timeline.
 * Measured once on Node 20 with `--expose-gc` and `process.memoryUsage()`: 400,000
 * DHCP/file events over 2,000 devices took ≈ 140 B each; 200 B leaves slack. Used
 * only for reports, never for decisions. With the defaults (10,000 × 200 events) the
 * typical bound is ≈ 420 MB, reached only by a storm of 10,000 chatty devices.
 */
export const BYTES_PER_TYPICAL_EVENT = 200;
/** See {@link BYTES_PER_TYPICAL_EVENT}. */
export const BYTES_PER_RECORD = 2_000;
const BYTES_PER_FILE_OUTCOME = 120;

/** The bound for `limits`. */
export function estimateMemoryBound(limits: RetentionLimits): MemoryBound {
  const maxEvents = limits.maxDevices * limits.maxEventsPerDevice;
  const maxFileOutcomes = limits.maxDevices * MAX_FILES_TRACKED;
  const fixed = limits.maxDevices * BYTES_PER_RECORD + maxFileOutcomes * (BYTES_PER_FILE_OUTCOME + TEXT_LIMITS.name);
  const longestText = Math.max(TEXT_LIMITS.syslog, TEXT_LIMITS.name + TEXT_LIMITS.detail);
  return {
    maxDevices: limits.maxDevices,
    maxEvents,
    maxFileOutcomes,
    typicalBytes: limits.maxDevices * BYTES_PER_RECORD + maxEvents * BYTES_PER_TYPICAL_EVENT,
    // Strings from the wire are one byte per character in V8 when Latin-1, two otherwise.
    worstBytes: fixed + maxEvents * (BYTES_PER_TYPICAL_EVENT + 2 * longestText),
  };
}
