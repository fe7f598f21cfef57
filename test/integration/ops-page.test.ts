/**
 * The local ops page in a real headless browser: Debian's Chromium (/usr/bin/chromium, which
 * `.ci/run` installs) driven by playwright-core, against the embedded runtime of this test with a
 * referral through ingress, a poison message dead-lettered and an outreach run in progress.
 * The page is read as an operator reads it: the queues, the dead letters, the run's progress bar,
 * and a trace search from the keyboard that draws the referral's hops. A screenshot is written to
 * test-output/ops-page.png.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { containsHetuShape } from '#contracts/hetu';
import { queueNames } from '#infra/topology';
import { localTableName } from '#infra/local/dynamodb';
import type { HubStatus } from '#infra/local/status';
import { RunStore } from '#functions/outreach/run-store';
import { DynamoBreakerStore } from '#lib/breaker/store';
import { prepareWellbeingRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { dynamoWellbeingStore } from '#functions/wellbeing/store';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { referral } from '../support/envelopes.ts';
import { consultation, wellbeingEnvelope } from '../support/wellbeing.ts';

const CHROMIUM = '/usr/bin/chromium';
/** What the machine notes say Chromium needs here: no sandbox as root, and no calls to Google's hosts. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = resolve('test-output', 'ops-page.png');
/** How long to wait for what the page draws from the hub: its first status read can take seconds on a busy machine. */
const UNTIL_DRAWN = { timeout: 20_000 };

let hub: TestHub;
let browser: Browser;
let page: Page;
let profile: string;
/** What the page reported as broken: script errors, CSP refusals, failed requests. */
const problems: string[] = [];

const good = referral({ municipality: '905' });
const poison = referral({ municipality: '905' });
const poisonHetu = '310223A123B';
const runId = randomUUID();
/** A consultation of three asked 30 days ago, unanswered: past its 28 days. */
const consulted = wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation()) as WellbeingRequest;

const getJson = async (path: string) => {
  const response = await fetch(new URL(path, hub.opsPageUrl));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the ops page test needs Debian's Chromium at ${CHROMIUM}: run apt-get install -y chromium (.ci/run installs it)`);
  }
  // Only referral intake runs, so that the referral's trace holds exactly its two hops.
  hub = await startTestHub({ retryBaseSeconds: 0, functions: ['referral-intake'] });
  expect((await hub.post(good)).status).toBe(202);
  await hub.sendRaw('referral-intake', [JSON.stringify({ ...poison, payload: { ...poison.payload, hetu: poisonHetu } })]);
  // Its last progress two hours ago: longer than its lookups can be in flight, so it shows as stalled.
  const runs = new RunStore(DynamoDBDocumentClient.from(hub.dynamodb), localTableName('correlation'), () => new Date(Date.now() - 2 * 3600_000));
  await runs.createRun(runId, '905', '2026-11-01', randomUUID());
  await runs.advance(runId, 'deciding', { expected: 40 });
  await runs.count(runId, { decided: 25, unresolved: 1 });
  // UMA is down: its breaker opened ten minutes ago and probes again in two.
  const breakers = new DynamoBreakerStore(() => DynamoDBDocumentClient.from(hub.dynamodb), () => localTableName('pacing'));
  const now = Date.now();
  const umaDown = { phase: 'open', failures: 5, openedAt: now - 600_000, probeIntervalMs: 240_000, nextProbeAt: now + 120_000, probeStartedAt: null, failedProbes: 3 } as const;
  expect(await breakers.write('uma', umaDown, 0)).toBe(true);
  const pohjanmaa = { county: 'pohjanmaa' as const, transport: { kind: 'direct' as const, fhirBaseUrl: 'https://county.example/R4', authentication: 'mutual-tls' as const } };
  const asked = new Date(now - 30 * 86_400_000).toISOString();
  await dynamoWellbeingStore(DynamoDBDocumentClient.from(hub.dynamodb), localTableName('correlation')).start(
    prepareWellbeingRequest(consulted, [pohjanmaa], new Uint8Array(32).fill(1), asked),
  );
  await eventually(
    async () => ((await hub.auditOf(good.correlationId)).length === 2 && new Set((await hub.peekDlq('referral-intake')).map((m) => m.MessageId)).size === 1 ? true : undefined),
    'the referral recorded and the poison message dead-lettered',
  );

  // playwright-core launches with a new, empty profile folder of its own; this one is only for its downloads.
  profile = mkdtempSync(join(tmpdir(), 'koto-hub-chromium-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, downloadsPath: profile });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  await page.goto(hub.opsPageUrl);
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the ops page in a headless browser', () => {
  it('loads and shows every queue, with the dead letter counted beside its queue', async () => {
    const queues = page.getByRole('table', { name: 'Queues' });
    await expect.poll(() => queues.locator('tbody tr').count(), UNTIL_DRAWN).toBe(queueNames.length);
    const intake = queues.locator('tr[data-queue="referral-intake"]');
    await expect.poll(() => intake.innerText(), UNTIL_DRAWN).toMatch(/referral-intake\s+referral-intake\s+0\s+0\s+–\s+⚠ 1\s+\d+s/);
    expect(await page.getByRole('table', { name: /Functions/ }).locator('tbody').innerText()).toContain('referral-intake');
    await expect.poll(() => page.getByRole('status').first().innerText(), UNTIL_DRAWN).toContain('1 dead letter');
  });

  it('shows the open outreach run with a labelled progress bar', async () => {
    const bar = page.getByRole('progressbar', { name: /Municipality 905 as of 2026-11-01/ });
    await expect.poll(() => bar.count(), UNTIL_DRAWN).toBe(1);
    expect(await bar.getAttribute('value')).toBe('26');
    expect(await bar.getAttribute('max')).toBe('40');
    expect(await page.locator(`[data-run="${runId}"]`).innerText()).toContain('26 of 40 candidates decided (65%), 1 unresolved');
  });

  it('shows the register that is down, how long for and when it is probed next, and the others answering', async () => {
    const uma = page.locator('[data-breaker="uma"]');
    await expect.poll(() => uma.count(), UNTIL_DRAWN).toBe(1);
    expect(await uma.innerText()).toMatch(/⚠ uma: not answering, breaker open for 10m \d\ds — not called, its work waits on its queue; next probe in 1m \d\ds \(3 failed probes\)/);
    expect(await page.locator('[data-breaker="vtj"]').innerText()).toBe('vtj: answering (breaker closed)');
  });

  it('marks the run stalled, with how long it has been silent and what it waits for', async () => {
    const marker = page.locator(`[data-run="${runId}"] .stalled`);
    await expect.poll(() => marker.count(), UNTIL_DRAWN).toBe(1);
    expect(await marker.innerText()).toMatch(new RegExp(`^Stalled: no progress for 2h 0\\dm, waiting for 14 decisions \\(the watchdog puts lost work back; koto-hub runs resume\\|abandon ${runId}\\)$`));
  });

  it('shows the open wellbeing request, how many of its people are answered, and that it is overdue', async () => {
    const row = page.locator(`[data-wellbeing="${consulted.correlationId}"]`);
    await expect.poll(() => row.count(), UNTIL_DRAWN).toBe(1);
    expect(await row.innerText()).toMatch(new RegExp(`^⚠ Municipality 905 → pohjanmaa: consultation, 0 of 3 people answered, OVERDUE; due .+\\s+request ${consulted.correlationId}; asked .+$`));
  });

  it('lists the dead letter with its type, correlation, failure and reason, and never its payload', async () => {
    const row = page.locator(`#dlq tr[data-correlation="${poison.correlationId}"]`);
    await expect.poll(() => row.count(), UNTIL_DRAWN).toBe(1);
    const text = await row.innerText();
    expect(text).toContain('outreach.referral.v1');
    expect(text).toContain('✗ schema-violation');
    expect(text).toMatch(/payload\.hetu: invalid personal identity code/);
  });

  it('draws the hops of a correlation searched from the keyboard: ingress, and referral intake under it', async () => {
    await page.getByLabel('Correlation id').focus();
    await page.keyboard.type(good.correlationId);
    await page.keyboard.press('Enter');
    const intake = page.locator('#trace-result li[data-stage="ingress"] > ol > li[data-stage="referral-intake"]');
    await intake.waitFor();
    const ingress = page.locator('#trace-result li[data-stage="ingress"] > .hop');
    expect(await ingress.innerText()).toMatch(/stage\s+ingress[\s\S]*✓ accepted[\s\S]*authority:te-services → hub[\s\S]*outreach\.referral\.v1[\s\S]*\d+ ms/);
    expect(await intake.locator('> .hop').innerText()).toContain('✓ candidate-recorded');
    expect(await page.locator('#trace-status').innerText()).toBe(`Trace of ${good.correlationId}: 2 records, no failures.`);
    // The result's heading takes the focus, so a keyboard or screen reader user lands on it.
    expect(await page.evaluate('document.activeElement.textContent')).toBe(`Trace of ${good.correlationId}`);
    expect(page.url()).toContain(`#trace=${good.correlationId}`);
  });

  it('traces a dead letter from its row, marking the failed hop with its reason', async () => {
    await page.getByRole('button', { name: `Trace correlation ${poison.correlationId}` }).click();
    const dead = page.locator('#trace-result li[data-outcome="dead-letter"] > .hop');
    await dead.waitFor();
    expect(await dead.innerText()).toMatch(/✗ DEAD-LETTER[\s\S]*Reason: schema-violation: payload\.hetu: invalid personal identity code/);
    await page.getByLabel('Correlation id').fill('not-a-uuid');
    await page.keyboard.press('Enter');
    expect(await page.locator('#trace-status').innerText()).toContain('A correlation id is a UUID');
    expect(await page.getByLabel('Correlation id').getAttribute('aria-invalid')).toBe('true');
  });

  it('shows no HETU anywhere, reports no script or policy errors, and leaves a screenshot of the traced referral', async () => {
    await page.getByLabel('Correlation id').fill(good.correlationId);
    await page.getByRole('button', { name: 'Trace', exact: true }).click();
    await page.locator('#trace-result li[data-stage="referral-intake"]').waitFor();
    const text = await page.locator('body').innerText();
    const html = await page.content();
    for (const content of [text, html]) {
      expect(containsHetuShape(content)).toBe(false);
      expect(content).not.toContain(good.payload.hetu);
      expect(content).not.toContain(poisonHetu);
    }
    expect(problems).toEqual([]);
    mkdirSync(resolve('test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});

describe('the ops page JSON endpoints', () => {
  it('serve the page with a policy that allows only its own script and style', async () => {
    const response = await fetch(hub.opsPageUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'/);
  });

  it('answer the status with oldest ages and open runs, and drop a run once it is delivered', async () => {
    const { status, body } = await getJson('/api/status');
    expect(status).toBe(200);
    const hubStatus = body as unknown as HubStatus;
    expect(hubStatus.queues.find((q) => q.name === 'referral-intake')).toMatchObject({ dlqDepth: 1, dlqOldestAgeSeconds: expect.any(Number), oldestAgeSeconds: null });
    expect(hubStatus.runs).toEqual([expect.objectContaining({ runId, phase: 'deciding', expected: 40, decided: 25, unresolved: 1, waitsFor: '14 decisions', stalled: true })]);
    await new RunStore(DynamoDBDocumentClient.from(hub.dynamodb), localTableName('correlation')).advance(runId, 'delivered');
    expect(((await getJson('/api/status')).body as unknown as HubStatus).runs).toEqual([]);
  });

  it('answer the dead letters described, and a trace: 400 for a malformed id, 404 for an unknown one', async () => {
    const dlq = await getJson('/api/dlq');
    expect(dlq.status).toBe(200);
    expect(dlq.body.dlqs).toEqual([
      expect.objectContaining({ queue: 'referral-intake', depth: 1, messages: [expect.objectContaining({ correlationId: poison.correlationId, failureCode: 'schema-violation' })] }),
    ]);
    expect(JSON.stringify(dlq.body)).not.toContain(poisonHetu);
    expect(await getJson('/api/trace/not-a-uuid')).toMatchObject({ status: 400, body: { error: 'bad-request' } });
    expect(await getJson(`/api/trace/${randomUUID()}`)).toMatchObject({ status: 404, body: { error: 'not-found' } });
    const trace = await getJson(`/api/trace/${good.correlationId}`);
    expect(trace).toMatchObject({ status: 200, body: { correlationId: good.correlationId, summary: { records: 2 } } });
  });
});
