/**
 * One line of text per timeline entry, for `benchboot device show MAC` and the
 * terminal view: `12:00:01.250 ACK 10.0.0.10 lease 3600 s siaddr 10.0.0.1 file boot.bin`.
 * Wire text is escaped for control characters.
 */
import type { BootFields, DeviceEvent } from './event.js';
import { escapeControl } from './text-escape.js';

function formatBoot(boot: BootFields | undefined): string {
  if (!boot) return '';
  const parts: string[] = [];
  if (boot.siaddr) parts.push(`siaddr ${boot.siaddr}`);
  if (boot.sname) parts.push(`sname ${escapeControl(boot.sname)}`);
  if (boot.file) parts.push(`file ${escapeControl(boot.file)}`);
  if (boot.option66) parts.push(`66 ${escapeControl(boot.option66)}`);
  if (boot.option150 && boot.option150.length > 0) parts.push(`150 ${boot.option150.map(escapeControl).join(',')}`);
  return parts.join(' ');
}

/** The entry without its time. */
export function describeEvent(e: DeviceEvent): string {
  switch (e.kind) {
    case 'dhcp': {
      const lease = e.leaseSeconds === undefined ? '' : `lease ${e.leaseSeconds} s`;
      return [e.message.toUpperCase(), e.ip ?? '', lease, formatBoot(e.boot)].filter((p) => p !== '').join(' ');
    }
    case 'file': {
      const how = `${e.protocol} ${e.origin}`;
      const detail = e.detail ? `: ${escapeControl(e.detail)}` : '';
      return `${escapeControl(e.name)} ${e.result}${detail} (${how}, ${e.bytes} B, ${e.durationMs} ms, ${e.retransmissions} retx, queued ${e.queueWaitMs} ms)`;
    }
    case 'upload':
      return `upload ${escapeControl(e.name)} ${e.result}${e.storedAs ? ` as ${escapeControl(e.storedAs)}` : ''} (${e.bytes} B)`;
    case 'syslog':
      return `syslog <${e.facility}.${e.severity}> ${escapeControl(e.text)}`;
    case 'admin':
      return `${e.action}${e.detail ? ` ${escapeControl(e.detail)}` : ''}`;
  }
}

/** `HH:MM:SS.mmm` in UTC, then the entry. */
export function formatEventLine(e: DeviceEvent): string {
  return `${new Date(e.atMs).toISOString().slice(11, 23)} ${describeEvent(e)}`;
}
