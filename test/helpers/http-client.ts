/**
 * A raw HTTP client for tests: sends the request target exactly as given (no URL
 * normalisation, so `/../x`, `%2e%2e` and backslashes reach the server as written),
 * and returns status, headers and the whole body.
 */
import { request } from 'node:http';

/** A response as the test sees it. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Options of one request. */
export interface RawRequest {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Source address of the connection (a leased 127.x address in appliance tests). */
  readonly localAddress?: string;
}

/** Sends one request (a fresh connection) and reads the whole answer. */
export function httpRaw(r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: r.host, port: r.port, path: r.path, method: r.method ?? 'GET', headers: { connection: 'close', ...r.headers }, agent: false, ...(r.localAddress === undefined ? {} : { localAddress: r.localAddress }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body === undefined ? undefined : Buffer.from(r.body));
  });
}
