import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReadableStream as OnDemand } from '#lib/web-streams-on-demand';

describe("the bundles' node:stream/web (what middy asks of it)", () => {
  it('answers instanceof ReadableStream as Node does: yes for a web stream, no for anything else', () => {
    expect(new globalThis.ReadableStream()).toBeInstanceOf(OnDemand);
    expect(Readable.toWeb(Readable.from(['x']))).toBeInstanceOf(OnDemand);
    for (const other of ['a string', { body: 'x' }, Readable.from(['x']), null, undefined]) expect(other instanceof OnDemand).toBe(false);
  });
});

describe("the bundles' node:process", () => {
  it('is the process itself, with the names the SDK imports', async () => {
    const nodeProcess = await import('#lib/node-process');
    expect(nodeProcess.default).toBe(process);
    expect(nodeProcess.env).toBe(process.env);
    expect(nodeProcess.versions).toBe(process.versions);
  });
});
