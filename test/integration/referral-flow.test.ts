/**
 * The referral intake flow through the real embedded runtime: ingress over mutual TLS, local-aws-sqs,
 * the runner, the handler and dynalite — no mocked SDK client anywhere.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { containsHetuShape } from '#contracts/hetu';
import { localTableName } from '#infra/local/dynamodb';
import { tableNameEnv } from '#infra/topology';
import { verifyChain } from '#ops/audit/verify';
import { auditKey } from '#lib/audit/key';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { freshHetu, referral } from '../support/envelopes.ts';
import { readPopulation } from '../support/outreach-runs.ts';
import { expectNoPersonalDataIn, personalDataOf } from '../support/personal-data.ts';

const run = promisify(execFile);

let hub: TestHub;
beforeAll(async () => {
  // Referrals come for municipalities of their own in some tests (179, 564): the hub serves those too.
  hub = await startTestHub({ population: 'mocks/population/sample.json', municipalities: ['905', '091', '837', '179', '564'] });
});
afterAll(async () => {
  await hub?.stop();
});

const pendingCandidates = async (municipality: string) =>
  (await hub.scan('correlation')).filter((item) => item.pk === `MUNICIPALITY#${municipality}#PENDING`);

const successRecord = async (correlationId: string) =>
  (await hub.auditOf(correlationId)).find((r) => r.stage === 'referral-intake' && r.reason === null);

describe('referral intake through the embedded runtime', () => {
  it('records a posted referral as a pending candidate of its municipality, with an audit chain from ingress', async () => {
    const envelope = referral({ municipality: '091' });
    const response = await hub.post(envelope);
    expect(response.status).toBe(202);

    const record = await eventually(() => successRecord(envelope.correlationId), 'the referral-intake hop');
    expect(record.outcome).toBe('candidate-recorded');
    const [candidate] = await pendingCandidates('091');
    expect(candidate).toMatchObject({ origin: 'referral', hetu: envelope.payload.hetu, correlationId: envelope.correlationId });
    // Pending until outreach-single-decide has decided it, which may already have happened.
    expect(['pending', 'decided']).toContain(candidate!.status);

    const records = await hub.auditOf(envelope.correlationId);
    expect(records.filter((r) => r.stage === 'ingress' || r.stage === 'referral-intake')).toHaveLength(2);
    expect(record.parentHop).toBe(`${envelope.messageId}#ingress`);
    expect(record.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(records)).not.toContain(envelope.payload.hetu);
    expect(verifyChain(records, await auditKey()).ok).toBe(true);
  });

  it('decides a referred person VTJ does not know as NOT_FOUND_IN_VTJ: VTJ’s fault answer 0001 is an answer, not a dead letter', async () => {
    // freshHetu() codes are in no fixture population: the VTJ mock answers them as VTJ does, with
    // response/faultCode 0001 and no VTJHenkiloVastaussanoma.
    const envelope = referral({ municipality: '905' });
    expect((await hub.post(envelope)).status).toBe(202);
    const decided = await eventually(
      async () => (await hub.auditOf(envelope.correlationId)).find((r) => r.stage === 'outreach-single-decide' && r.outcome.startsWith('decided-')),
      'the single decision',
    );
    expect(decided.outcome).toBe('decided-NOT_FOUND_IN_VTJ');
    const records = await hub.auditOf(envelope.correlationId);
    expect(records.find((r) => r.stage === 'vtj-adapter')).toMatchObject({ reason: null });
    expect(records.filter((r) => r.outcome === 'dead-letter' || r.outcome === 'retry')).toEqual([]);
  });

  it('answers 400 naming the failing fields, without echoing the HETU, for an envelope that breaks its contract', async () => {
    const bad = referral({ payload: { hetu: '131052-308X', reason: 'BORED' as never } });
    const response = await hub.post({ ...bad, municipality: '9050' });
    expect(response.status).toBe(400);
    const paths = (response.body.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['municipality', 'payload.hetu', 'payload.reason']));
    expect(JSON.stringify(response.body)).not.toContain('131052');

    const unknownMunicipality = await hub.post(referral({ municipality: '999' }));
    expect(unknownMunicipality.body.issues).toEqual([
      { path: 'municipality', message: "unknown municipality code '999': not a current Finnish municipality" },
    ]);
    expect((await hub.post('{not json')).status).toBe(400);
    expect((await hub.post({ ...referral(), type: 'outreach.unknown.v1' })).body.issues).toEqual([
      { path: 'type', message: 'unknown message type outreach.unknown.v1' },
    ]);
  });

  it('fails a poison message alone: it reaches the DLQ with its reason while the other nine of its batch are delivered', async () => {
    const municipality = '837';
    const good = Array.from({ length: 9 }, () => referral({ municipality }));
    const poison = referral({ municipality });
    const poisonBody = JSON.stringify({ ...poison, payload: { ...poison.payload, hetu: '310223A123B' } });
    await hub.sendRaw('referral-intake', [...good.slice(0, 4).map((e) => JSON.stringify(e)), poisonBody, ...good.slice(4).map((e) => JSON.stringify(e))]);

    await eventually(async () => ((await pendingCandidates(municipality)).length === 9 ? true : undefined), 'nine candidates');
    const [dead] = await eventually(async () => {
      const messages = await hub.peekDlq('referral-intake');
      return messages.length > 0 ? messages : undefined;
    }, 'the poison message in the DLQ');
    expect(JSON.parse(dead!.Body!).messageId).toBe(poison.messageId);
    expect(dead!.MessageAttributes?.['koto.failureCode']?.StringValue).toBe('schema-violation');
    const reason = dead!.MessageAttributes?.['koto.failureReason']?.StringValue ?? '';
    expect(reason).toContain('payload.hetu');
    expect(containsHetuShape(reason)).toBe(false);

    const poisonAudit = await eventually(async () => (await hub.auditOf(poison.correlationId))[0], 'the dead-letter audit record');
    expect(poisonAudit).toMatchObject({ outcome: 'dead-letter', stage: 'referral-intake' });
    expect(poisonAudit.reason).toContain('schema-violation');
    for (const e of good) expect((await successRecord(e.correlationId))?.outcome).toBe('candidate-recorded');
  });

  it('gives a duplicate delivery no second effect, and records a second referral of a pending person once', async () => {
    const municipality = '179';
    const first = referral({ municipality });
    await hub.sendRaw('referral-intake', [JSON.stringify(first), JSON.stringify(first)]);
    await eventually(() => successRecord(first.correlationId), 'the first delivery');
    await hub.sendRaw('referral-intake', [JSON.stringify(first)]);
    const again = referral({ municipality, payload: { hetu: first.payload.hetu, reason: 'OTHER' } });
    await hub.post(again);
    const second = await eventually(() => successRecord(again.correlationId), 'the second referral');
    expect(second.outcome).toBe('candidate-already-pending');

    await eventually(async () => ((await hub.status()).queues[0]!.depth + (await hub.status()).queues[0]!.inFlight === 0 ? true : undefined), 'an empty queue');
    expect(await pendingCandidates(municipality)).toHaveLength(1);
    const hops = (await hub.auditOf(first.correlationId)).filter((r) => r.stage === 'referral-intake');
    expect(hops).toHaveLength(1);
  });

  it('retries a transient failure and then succeeds', async () => {
    const env = tableNameEnv('correlation');
    const realTable = process.env[env]!;
    process.env[env] = 'koto-hub-table-that-is-not-there';
    const envelope = referral({ municipality: '564' });
    await hub.post(envelope);
    const failed = await eventually(
      async () => (await hub.auditOf(envelope.correlationId)).find((r) => r.outcome === 'retry'),
      'a failed attempt',
    );
    expect(failed.reason).toMatch(/ResourceNotFound/);
    process.env[env] = realTable;

    const done = await eventually(() => successRecord(envelope.correlationId), 'the retried success');
    expect(done.outcome).toBe('candidate-recorded');
    expect(await pendingCandidates('564')).toHaveLength(1);
    expect(verifyChain(await hub.auditOf(envelope.correlationId), await auditKey()).ok).toBe(true);
  });

  it('audit verify passes on the untouched chain and fails, naming the record, once an audit item is altered', async () => {
    const envelope = referral({ municipality: '905', payload: { hetu: freshHetu() } });
    await hub.post(envelope);
    const record = await eventually(() => successRecord(envelope.correlationId), 'the hop');
    const cli = (args: string[]) =>
      run('node', ['cli/koto-hub.mjs', 'audit', 'verify', ...args], { env: { ...process.env, KOTO_DATA_DIR: hub.dataDir.root } }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );

    const intact = await cli([envelope.correlationId]);
    expect(intact).toMatchObject({ code: 0 });
    expect(intact.out).toMatch(/\d+ records, every link intact/);

    await DynamoDBDocumentClient.from(hub.dynamodb).send(
      new UpdateCommand({
        TableName: localTableName('audit'),
        Key: { correlationId: envelope.correlationId, hop: `${envelope.messageId}#ingress` },
        UpdateExpression: 'SET outcome = :o',
        ExpressionAttributeValues: { ':o': 'rejected' },
      }),
    );
    const broken = await cli([envelope.correlationId]);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`${envelope.messageId}#ingress: digest-mismatch`);
    expect(broken.out).toContain(`${record.hop}: parent-digest-mismatch`);

    expect((await cli(['not-a-uuid'])).code).toBe(2);
    expect((await cli([randomUUID()])).code).toBe(1);
  });

  it('writes no HETU, name or address into any log line (and never needed the scrubber to hide one)', () => {
    const lines = hub.logLines();
    expectNoPersonalDataIn(lines, personalDataOf(readPopulation('mocks/population/sample.json').persons));
    expect(lines.some((line) => JSON.parse(line).correlationId)).toBe(true);
  });
});
