/**
 * The devices package's public surface, for the server wiring, the CLI and the
 * dashboard: events and observations in, a live DeviceBook with statuses out, a
 * durable store, and report formatters. Only re-exports.
 */
export * from './event.js';
export { canonicalMac, formatMacColons, isCanonicalMac, type DeviceFacts, type DeviceObservation } from './identity.js';
export { DEFAULT_RETENTION, MAX_FILES_TRACKED, type DeviceRecord, type DeviceProgress, type FileOutcome, type LeaseProgress, type RetentionLimits } from './record.js';
export { DEFAULT_STATUS_THRESHOLDS, NO_EXPECTATIONS, deriveStatus, deriveStatusName, type Expectations, type StatusThresholds } from './status.js';
export { DEVICE_STATUSES, formatReason, formatStatusCounts, formatStatusLine, type DeviceStatus, type DeviceStatusName, type StatusReason } from './status-reason.js';
export { matchesPattern, describePattern } from './pattern.js';
export { DeviceBook, type ApplyResult, type DeviceBookCounts, type DeviceBookOptions, type DeviceChange, type DeviceListener, type DeviceView } from './book.js';
export type { Eviction, EvictionReason } from './evict.js';
export { estimateMemoryBound, type MemoryBound } from './memory.js';
export type { DeviceStore, DeviceStoreStats } from './store.js';
export type { JournalEntry } from './journal-entry.js';
export type { LoadedDevices } from './journal-read.js';
export { openJsonlDeviceStore, type JsonlDeviceStoreOptions } from './jsonl-store.js';
export { compactBook, compactionThreshold, journalChanges, restoreBook, type JournalOptions, type RestoreSummary } from './persist.js';
export { summarizeDevices, summarizeDevice, type DeviceSummaryRow } from './summary.js';
export { formatReportCsv } from './report-csv.js';
export { formatReportJson } from './report-json.js';
export { formatReportHtml } from './report-html.js';
export { formatEventLine, describeEvent } from './timeline-text.js';
export { escapeControl, htmlText } from './text-escape.js';
export { readDeviceBook } from './offline.js';
export { parseRecordLine } from './journal-entry.js';
export { entryOnWall, eventOnWall, recordOnWall, rowOnWall, type ToWall } from './wall-time.js';
