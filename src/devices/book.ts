/**
 * The live model of every device: one reducer over observations (record.ts),
 * answering list/get/status and notifying subscribers (the terminal view, the web
 * dashboard, the journal) of every change. Bounded: timelines by retention, the
 * number of devices by `maxDevices`, evicting as evict.ts decides and reporting each
 * eviction as a change. No I/O, no clock: times come with the events.
 */
import { clipEvent } from './event.js';
import { canonicalMac, type DeviceObservation } from './identity.js';
import { EvictionQueue, type Eviction } from './evict.js';
import { applyObservation, createRecord, DEFAULT_RETENTION, pruneTimeline, resetRecord, type DeviceRecord, type RetentionLimits } from './record.js';
import { DEFAULT_STATUS_THRESHOLDS, deriveStatus, deriveStatusName, NO_EXPECTATIONS, type Expectations, type StatusThresholds } from './status.js';
import type { DeviceStatus } from './status-reason.js';

/** A change of the book, as subscribers receive it. */
export type DeviceChange =
  | { readonly kind: 'observed'; readonly mac: string; readonly observation: DeviceObservation; readonly isNew: boolean; readonly pruned: number }
  | { readonly kind: 'reset'; readonly mac: string; readonly atMs: number }
  | { readonly kind: 'evicted'; readonly eviction: Eviction; readonly atMs: number };

/** How stale a full book's queue of next evictions may get before it is chosen again. */
const EVICTION_QUEUE_MAX_AGE_MS = 1000;

/** Receives every change, synchronously, in order. */
export type DeviceListener = (change: DeviceChange) => void;

/** Result of {@link DeviceBook.apply}. */
export type ApplyResult =
  | { readonly kind: 'applied'; readonly mac: string; readonly evicted?: Eviction }
  | { readonly kind: 'refused'; readonly reason: 'bad-mac'; readonly mac: string };

/** Options of a {@link DeviceBook}. */
export interface DeviceBookOptions {
  readonly retention?: Partial<RetentionLimits>;
  readonly thresholds?: Partial<StatusThresholds>;
  /** What a device must receive to be provisioned (its profile + inventory row). Default: nothing. */
  readonly expectationsFor?: (record: Readonly<DeviceRecord>) => Expectations;
  /** Called when a listener throws (the change still reaches the other listeners). */
  readonly onListenerError?: (err: unknown) => void;
}

/** Counts for the memory bound and status output. */
export interface DeviceBookCounts {
  readonly devices: number;
  readonly events: number;
  readonly evictions: number;
  readonly prunedEvents: number;
  readonly listenerErrors: number;
}

/** A device with its status, as `list` views need it. */
export interface DeviceView {
  readonly record: Readonly<DeviceRecord>;
  readonly status: DeviceStatus;
}

/** The in-memory device book. */
export class DeviceBook {
  readonly retention: RetentionLimits;
  readonly thresholds: StatusThresholds;
  private readonly records = new Map<string, DeviceRecord>();
  /** A full book's next evictions: half the book chosen per scan, rescanned at least every second. */
  private readonly evictions: EvictionQueue;
  private readonly listeners = new Set<DeviceListener>();
  private readonly counters = { evictions: 0, prunedEvents: 0, listenerErrors: 0, events: 0 };

  constructor(private readonly options: DeviceBookOptions = {}) {
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.thresholds = { ...DEFAULT_STATUS_THRESHOLDS, ...options.thresholds };
    this.evictions = new EvictionQueue(Math.max(1, Math.floor(this.retention.maxDevices / 2)), EVICTION_QUEUE_MAX_AGE_MS);
  }

  /** Files one observation; a new device beyond `maxDevices` evicts one first (reported). */
  apply(observation: DeviceObservation): ApplyResult {
    const mac = canonicalMac(observation.mac);
    if (mac === undefined) return { kind: 'refused', reason: 'bad-mac', mac: observation.mac };
    const atMs = observation.event.atMs;
    let record = this.records.get(mac);
    const isNew = record === undefined;
    let evicted: Eviction | undefined;
    if (!record) {
      if (this.records.size >= this.retention.maxDevices) evicted = this.evictOne(atMs);
      record = createRecord(mac, atMs);
      this.records.set(mac, record);
    }
    // Clipped here too, so that subscribers (the journal) never see more than the book keeps; copied only when that changes something.
    const event = clipEvent(observation.event);
    const canonical: DeviceObservation = mac === observation.mac && event === observation.event ? observation : { ...observation, mac, event };
    const before = record.timeline.length;
    const pruned = applyObservation(record, canonical, this.retention);
    this.noteSizes(record.timeline.length - before, pruned);
    this.emit({ kind: 'observed', mac, observation: canonical, isNew, pruned });
    return evicted ? { kind: 'applied', mac, evicted } : { kind: 'applied', mac };
  }

  /** Clears a device's record so it is provisioned again; false when unknown. */
  reset(macText: string, atMs: number): boolean {
    const mac = canonicalMac(macText);
    const record = mac === undefined ? undefined : this.records.get(mac);
    if (mac === undefined || !record) return false;
    this.counters.events -= record.timeline.length;
    const fresh = resetRecord(record, atMs);
    this.counters.events += fresh.timeline.length;
    this.records.set(mac, fresh);
    this.emit({ kind: 'reset', mac, atMs });
    return true;
  }

  /** Removes a device (replay of a journaled eviction); false when unknown. */
  forget(mac: string): boolean {
    const record = this.records.get(mac);
    if (!record) return false;
    this.counters.events -= record.timeline.length;
    return this.records.delete(mac);
  }

  /** The record of a device (MAC in any spelling). */
  get(macText: string): Readonly<DeviceRecord> | undefined {
    const mac = canonicalMac(macText);
    return mac === undefined ? undefined : this.records.get(mac);
  }

  /** Every record, in first-seen order. */
  list(): readonly Readonly<DeviceRecord>[] {
    return [...this.records.values()];
  }

  /** Every device with its status at `nowMs`. */
  view(nowMs: number): DeviceView[] {
    return [...this.records.values()].map((record) => ({ record, status: this.statusOf(record, nowMs) }));
  }

  /** One device's status at `nowMs`. */
  status(macText: string, nowMs: number): DeviceStatus | undefined {
    const record = this.get(macText);
    return record ? this.statusOf(record, nowMs) : undefined;
  }

  /** The expectations the book uses for `record`. */
  expectations(record: Readonly<DeviceRecord>): Expectations {
    return this.options.expectationsFor?.(record) ?? NO_EXPECTATIONS;
  }

  /** Applies age retention to every timeline at `nowMs` (call it from a timer); returns entries dropped. */
  sweep(nowMs: number): number {
    let dropped = 0;
    for (const record of this.records.values()) dropped += pruneTimeline(record, nowMs, this.retention);
    this.noteSizes(-dropped, dropped);
    return dropped;
  }

  /** Puts records loaded from a store into the book (replacing same MACs), then enforces the device cap. */
  restore(records: Iterable<DeviceRecord>, nowMs: number): Eviction[] {
    for (const record of records) {
      this.forget(record.mac);
      this.records.set(record.mac, record);
      this.counters.events += record.timeline.length;
      const pruned = pruneTimeline(record, nowMs, this.retention);
      this.noteSizes(-pruned, pruned);
    }
    const evictions: Eviction[] = [];
    while (this.records.size > this.retention.maxDevices) {
      const e = this.evictOne(nowMs);
      if (!e) break;
      evictions.push(e);
    }
    return evictions;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: DeviceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sizes and counters. */
  counts(): DeviceBookCounts {
    return { devices: this.records.size, ...this.counters };
  }

  private statusOf(record: Readonly<DeviceRecord>, nowMs: number): DeviceStatus {
    return deriveStatus(record, this.expectations(record), nowMs, this.thresholds);
  }

  private evictOne(atMs: number): Eviction | undefined {
    const eviction = this.evictions.take(this.records, (r) => deriveStatusName(r, this.expectations(r), atMs, this.thresholds), atMs);
    if (!eviction) return undefined;
    this.forget(eviction.mac);
    this.counters.evictions++;
    this.emit({ kind: 'evicted', eviction, atMs });
    return eviction;
  }

  private noteSizes(eventDelta: number, pruned: number): void {
    this.counters.events += eventDelta;
    this.counters.prunedEvents += pruned;
  }

  private emit(change: DeviceChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.counters.listenerErrors++;
        this.options.onListenerError?.(err);
      }
    }
  }
}
