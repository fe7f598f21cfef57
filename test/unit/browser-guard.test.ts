import { describe, expect, it } from 'vitest';
import { refuseCrossSite } from '#infra/local/browser-guard';

const PORT = 8910;
const base = { host: `127.0.0.1:${PORT}` };

describe('the local hub refuses what a web page could send it', () => {
  it('lets the operator’s own tools through: loopback Host, no browser headers, JSON posts', () => {
    for (const host of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`, `LOCALHOST:${PORT}`]) {
      expect(refuseCrossSite('GET', { host }, PORT)).toBeUndefined();
    }
    expect(refuseCrossSite('POST', { ...base, 'content-type': 'application/json' }, PORT)).toBeUndefined();
    expect(refuseCrossSite('POST', { ...base, 'content-type': 'application/json; charset=utf-8' }, PORT)).toBeUndefined();
    // The ops page's own requests.
    expect(refuseCrossSite('GET', { ...base, origin: `http://127.0.0.1:${PORT}`, 'sec-fetch-site': 'same-origin' }, PORT)).toBeUndefined();
  });

  it.each([['attacker.example'], [`attacker.example:${PORT}`], ['127.0.0.1:9999'], [undefined]])('answers 421 to Host %j (DNS rebinding)', (host) => {
    expect(refuseCrossSite('GET', host === undefined ? {} : { host }, PORT)).toMatchObject({ status: 421, error: 'host-not-allowed' });
  });

  it.each([['http://evil.example'], ['null'], [`http://127.0.0.1:${PORT + 1}`], [`https://127.0.0.1:${PORT}`]])('answers 403 to Origin %j', (origin) => {
    expect(refuseCrossSite('POST', { ...base, origin, 'content-type': 'application/json' }, PORT)).toMatchObject({ status: 403, error: 'cross-site' });
  });

  it('answers 403 to what the browser marks cross-site or same-site, Origin or not', () => {
    expect(refuseCrossSite('GET', { ...base, 'sec-fetch-site': 'cross-site' }, PORT)).toMatchObject({ status: 403 });
    expect(refuseCrossSite('GET', { ...base, 'sec-fetch-site': 'same-site' }, PORT)).toMatchObject({ status: 403 });
  });

  it.each([['text/plain'], ['text/plain;charset=UTF-8'], ['application/x-www-form-urlencoded'], ['multipart/form-data; boundary=x'], [undefined]])(
    'answers 415 to a POST of Content-Type %j: a page can send those cross-site without asking first',
    (type) => {
      const headers = type === undefined ? base : { ...base, 'content-type': type };
      expect(refuseCrossSite('POST', headers, PORT)).toMatchObject({ status: 415, error: 'unsupported-media-type' });
    },
  );
});
