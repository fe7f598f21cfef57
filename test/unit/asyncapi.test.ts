/**
 * The AsyncAPI document integrators read (docs/integrators/asyncapi.json) is valid AsyncAPI 3.0 by
 * the AsyncAPI initiative's own parser, and says what the topology routes: the types ingress takes
 * and the types a municipality's inbox delivers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { inboxTypes, ingressRoutes } from '#infra/topology';

const text = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'integrators', 'asyncapi.json'), 'utf8');
const errorsOf = (diagnostics: readonly { severity: DiagnosticSeverity; path: (string | number)[]; message: string }[]) =>
  diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.path.join('/')}: ${d.message}`);

describe('the AsyncAPI document', () => {
  const parser = new Parser();
  // Parsed once (a few seconds of the parser's rules), read by each test.
  const parsed = parser.parse(text);

  it('parses and validates with @asyncapi/parser with no errors', async () => {
    const { document, diagnostics } = await parsed;
    expect(errorsOf(diagnostics)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('offers the door: POST /envelopes with the types ingress routes, and their answers', async () => {
    const { document } = await parsed;
    const post = document!.operations().get('postEnvelopes')!;
    expect(post.action()).toBe('receive');
    expect(post.channels().all().map((c) => c.address())).toEqual(['/envelopes']);
    expect(post.messages().all().map((m) => m.name()).sort()).toEqual(Object.keys(ingressRoutes).sort());
    expect(post.reply()?.messages().all().map((m) => m.name())).toEqual(['accepted', 'refused']);
  });

  it('delivers the inbox types by pull and by webhook, and the payload of each is its published schema', async () => {
    const { document } = await parsed;
    expect(document!.operations().get('readInbox')!.channels().all()[0]!.address()).toBe('/inbox/{municipality}/messages');
    const push = document!.operations().get('pushToWebhook')!.messages().all()[0]!;
    expect(push.headers()?.required()).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    const pushed = push.payload()!.properties()!.data!.properties()!.message!.oneOf()!.map((s) => s.properties()!.type!.const());
    expect(pushed).toEqual([...inboxTypes]);
  });

  it('fails validation when an operation names no channel (the check can fail)', async () => {
    const broken = JSON.parse(text) as { operations: Record<string, Record<string, unknown>> };
    delete broken.operations.postEnvelopes!.channel;
    const diagnostics = await parser.validate(JSON.stringify(broken));
    expect(errorsOf(diagnostics).join('\n')).toMatch(/operations\/postEnvelopes/);
  });
});
