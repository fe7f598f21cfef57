/**
 * A request Node's HTTP parser refuses (a bad header, oversized headers, a broken chunked body)
 * gets the door's kind of answer: a 4xx with a JSON body naming the reason, not Node's bare
 * `400 Bad Request` (found by test/integration/door-fuzz.test.ts).
 */
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerMalformedRequest, malformedRequestAnswer } from '#infra/local/door-server';

const fakeSocket = (state: { writable?: boolean; bytesWritten?: number } = {}) => ({
  writable: state.writable ?? true,
  bytesWritten: state.bytesWritten ?? 0,
  end: vi.fn(),
  destroy: vi.fn(),
});

const parse = (raw: string) => {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
  return { status, head, body, length };
};

describe('malformedRequestAnswer', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'headers-too-large'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 413, 'too-large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request-timeout'],
    ['HPE_INVALID_HEADER_TOKEN', 400, 'malformed-http'],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 400, 'malformed-http'],
    [undefined, 400, 'malformed-http'],
  ])('answers %s with %i %s', (code, status, error) => {
    const answer = malformedRequestAnswer(code);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
    expect(answer.body.message.length).toBeGreaterThan(10);
  });
});

describe('answerMalformedRequest', () => {
  it('writes a whole HTTP response with a JSON reason and closes the connection', () => {
    const socket = fakeSocket();
    answerMalformedRequest(Object.assign(new Error('Header overflow'), { code: 'HPE_HEADER_OVERFLOW' }), socket);
    const { status, head, body, length } = parse(socket.end.mock.calls[0]![0] as string);
    expect(status).toBe(431);
    expect(head).toMatch(/content-type: application\/json/);
    expect(head).toMatch(/connection: close/);
    expect(length).toBe(Buffer.byteLength(body));
    expect(JSON.parse(body)).toMatchObject({ error: 'headers-too-large' });
    expect(socket.destroy).not.toHaveBeenCalled();
  });

  it.each([
    ['a connection the client reset', { code: 'ECONNRESET' }, {}],
    ['a socket no longer writable', { code: 'HPE_INVALID_METHOD' }, { writable: false }],
    ['a socket with an answer already begun', { code: 'HPE_INVALID_METHOD' }, { bytesWritten: 120 }],
  ])('only destroys %s', (_what, error, state) => {
    const socket = fakeSocket(state);
    answerMalformedRequest(Object.assign(new Error('x'), error), socket);
    expect(socket.end).not.toHaveBeenCalled();
    expect(socket.destroy).toHaveBeenCalled();
  });
});

describe('on a real server', () => {
  const server = createServer((_req, res) => res.end('{}'));
  server.on('clientError', answerMalformedRequest);
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const raw = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(text));
      let out = '';
      socket.on('data', (chunk) => (out += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(out));
    });

  it.each([
    ['a header name with a space', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400],
    ['two content-lengths', 'POST / HTTP/1.1\r\nHost: x\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}', 400],
    ['headers over the limit', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400],
  ])('answers %s with a JSON reason', async (_what, request, status) => {
    const answer = parse(await raw(request));
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toHaveProperty('error');
  });
});
