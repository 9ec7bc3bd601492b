/**
 * A small HTTP client for dashboard tests: real requests over loopback with full
 * control of the headers (fetch forbids setting Host), and an SSE reader.
 */
import { request, type IncomingMessage } from 'node:http';

/** One answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Sends one request to 127.0.0.1:`port` and reads the whole answer. */
export function httpRequest(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${path} in 10 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An open event stream: everything received so far, and a way to close it. */
export interface SseStream {
  readonly status: number;
  text(): string;
  close(): void;
}

/** Opens `path` as an event stream (resolves once the headers arrived). */
export function openSse(port: number, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, accept: 'text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', () => undefined);
      resolve({ status: res.statusCode ?? 0, text: () => text, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
