/**
 * Who may use the dashboard (pure decisions; server.ts applies them to requests).
 *
 * - DNS rebinding: a page on another site can make a browser resolve its own name to
 *   127.0.0.1 and then read the dashboard as "same origin". The browser still sends
 *   that name in `Host`, so only the bound address, and for loopback the localhost
 *   names, are accepted (with the bound port).
 * - Beyond loopback the dashboard is reachable from the bench, so every request needs
 *   the token printed in the serve log: `?token=` once (it becomes an HttpOnly,
 *   SameSite=Strict cookie), the cookie, or `Authorization: Bearer`.
 * - A state-changing request (POST) must come from a page of the dashboard itself:
 *   its `Origin` must name the same host (a cross-site form cannot forge it).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The name of the cookie that carries the token. */
export const TOKEN_COOKIE = 'benchboot_token';

/** Loopback host names a browser may send for a dashboard bound to loopback. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** True when `host` (an address as given to --web) is a loopback address. */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A new random token (32 bytes, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The rules for one bound dashboard. */
export interface GuardRules {
  /** The address bound (as given: `127.0.0.1`, `0.0.0.0`, `10.0.0.1`). */
  readonly address: string;
  readonly port: number;
  /** Required beyond loopback; undefined on loopback. */
  readonly token?: string;
}

/** Splits a Host header into name (lower case, IPv6 in brackets) and port (80 when absent). */
export function splitHost(host: string): { name: string; port: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!m || m[1] === undefined) return undefined;
  return { name: m[1].toLowerCase(), port: m[2] === undefined ? 80 : Number(m[2]) };
}

/**
 * Whether a request's Host header may reach the dashboard: the bound port, and the
 * bound address, or a localhost name when bound to loopback, or any IP literal when
 * bound to every address (a rebinding attack always sends a DNS name).
 */
export function isHostAllowed(hostHeader: string | undefined, rules: GuardRules): boolean {
  const host = hostHeader === undefined ? undefined : splitHost(hostHeader);
  if (!host || host.port !== rules.port) return false;
  const bare = host.name.replace(/^\[|\]$/g, '');
  if (rules.address === '0.0.0.0' || rules.address === '::') return isIP(bare) !== 0 || host.name === 'localhost';
  if (isLoopbackAddress(rules.address) && LOOPBACK_NAMES.includes(host.name)) return true;
  return bare === rules.address.toLowerCase();
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of cookie `name` in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** The Set-Cookie value that keeps the token for this browser. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** Whether a POST's Origin names the host it was sent to (same-origin form or fetch). */
export function isSameOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  return origin !== undefined && hostHeader !== undefined && origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`;
}
