/**
 * The state of an outreach run in the correlation table (docs/DESIGN.md "Process state": process
 * state in DynamoDB, single-item conditional writes and atomic counters, no transactions).
 *
 *   pk RUN#<runId>  sk RUN            the run: municipality, day, phase, pages received, counters,
 *                                     whether its candidates are written (`candidatesWritten`)
 *   pk RUN#<runId>  sk PAGE#<source>#<page>[#<part>]
 *                                     one list page as split: candidate key -> the code as listed and
 *                                     what the rules read of the person's Kela rows on that page; a
 *                                     page too large for one item is written in parts (`list-pages.ts`).
 *                                     Kept until the candidates are written, then deleted
 *   pk RUN#<runId>  sk CAND#<key>     one candidate: the code as listed, its sources, its Kela
 *                                     benefits (what the rules read of Kela's rows: no names) and
 *                                     once decided its outcome (and, for a target, the target)
 *
 * A candidate's key is the keyed hash of its code, so no key holds a HETU. Every write is
 * idempotent: a page or a decision handled twice leaves the same items. The counters only
 * show progress and tell when the run is complete; the result is read from the candidates.
 *
 * The candidates are written once, when both lists are whole, from the pages (`writeCandidatesOnce`):
 * a person may be on both lists and on several Kelmu pages, split by concurrent invocations, and
 * one item per page lets the splitter write a page in one request instead of one per person.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { kelaBenefitOf, type KelaBenefit } from '#contracts/kelmu/mapper';
import type { ExclusionCode, OutreachTarget } from '#contracts/outreach-result';
import { batchWrite } from '#lib/batch-write';
import { TransientError } from '#lib/errors';
import { KELA_PREFIX, kelaAttribute, mergePages, pageParts, type ListedPerson, type MergedCandidate, type StoredPage } from '#functions/outreach/list-pages';
import { allItems, queryItems } from '#lib/dynamo-pages';

export type SourceList = 'kelmu' | 'uma';
export type Phase = 'fetching-lists' | 'starting-lookups' | 'deciding' | 'decided' | 'delivered' | 'abandoned';

export interface RunItem {
  readonly runId: string;
  readonly municipality: string;
  readonly asOf: string;
  readonly phase: Phase;
  readonly pages: Record<SourceList, { total: number | null; received: Record<string, boolean> }>;
  readonly expected: number | null;
  readonly decided: number;
  readonly unresolved: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly location?: string;
  /** The request that created the run, and the list page that started its lookups. */
  readonly requestMessageId?: string;
  readonly fanoutBy?: string;
  /** Rows per page of the source lists, as requested (a page asked for again must be the same page). */
  readonly listPageSize?: number;
  /** When recovery last put the run's work back, and how often it has (functions/outreach-recovery). */
  readonly recoveredAt?: string;
  readonly recoveries?: number;
  /** The candidates were written from the list pages (`writeCandidatesOnce`): never again, they may have outcomes. */
  readonly candidatesWritten?: boolean;
  /** Who is writing the candidates (a fan-out message's id) and since when (epoch ms), until they are written. */
  readonly candidatesWriter?: string;
  readonly candidatesClaimedAt?: number;
}

export type Outcome = 'target' | ExclusionCode | 'UNRESOLVED';

export interface CandidateItem {
  readonly key: string;
  /** The code exactly as the source list gave it (may be malformed). */
  readonly hetu: string;
  readonly sources: SourceList[];
  /** Of each of the person's rows on Kela's list, what the rules read; the lookup slip carries them to the decision. */
  readonly kelaRows: KelaBenefit[];
  readonly outcome?: Outcome;
  readonly target?: OutreachTarget;
}

/** What the decision reads of a candidate's item: that it exists, and its outcome so far. */
export type CandidateOutcome = Pick<CandidateItem, 'key' | 'outcome'>;

/** Days run state is kept before the table's TTL removes it. */
const RUN_STATE_DAYS = 90;
const runKey = (runId: string) => ({ pk: `RUN#${runId}`, sk: 'RUN' });
/** One item per run not yet delivered, so the watchdog finds open runs with one Query. */
const openRunKey = (runId: string) => ({ pk: 'RUNS', sk: `OPEN#${runId}` });
const candidateKey = (runId: string, key: string) => ({ pk: `RUN#${runId}`, sk: `CAND#${key}` });
const PAGE_PREFIX = 'PAGE#';
/** A page's item, or with `part` (from 1) one of the parts of a page too large for one item. */
const pageKey = (runId: string, source: SourceList, page: number, part?: number) => ({
  pk: `RUN#${runId}`,
  sk: `${PAGE_PREFIX}${source}#${page}${part === undefined ? '' : `#${part}`}`,
});

/** BatchWriteItem requests in flight while the candidates are written: a few, so one run does not take the table's whole throughput. */
const CANDIDATE_WRITERS = 4;

/** A merged candidate as its item: the shape `toCandidate` reads. */
const candidateItem = (runId: string, candidate: MergedCandidate, expiresAt: number): Record<string, unknown> => ({
  ...candidateKey(runId, candidate.key),
  key: candidate.key,
  hetu: candidate.hetu,
  sources: new Set(candidate.sources),
  expiresAt,
  ...Object.fromEntries(candidate.kelaRows.map((row) => [kelaAttribute(row), row])),
});

export class RunStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private stamp = () => this.now().toISOString();
  private expiry = () => Math.floor(this.now().getTime() / 1000) + RUN_STATE_DAYS * 86_400;

  /** Creates the run once; false when it exists already (a re-run of the same id changes nothing). */
  async createRun(runId: string, municipality: string, asOf: string, requestMessageId: string, listPageSize?: number): Promise<boolean> {
    const at = this.stamp();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...runKey(runId),
            runId,
            municipality,
            asOf,
            requestMessageId,
            ...(listPageSize ? { listPageSize } : {}),
            phase: 'fetching-lists',
            pages: { kelmu: { total: null, received: {} }, uma: { total: null, received: {} } },
            expected: null,
            decided: 0,
            unresolved: 0,
            startedAt: at,
            updatedAt: at,
            expiresAt: this.expiry(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      await this.db.send(new PutCommand({ TableName: this.table, Item: { ...openRunKey(runId), runId, expiresAt: this.expiry() } }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The runs not yet delivered. */
  async openRuns(): Promise<string[]> {
    const items = queryItems(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :open)',
      ExpressionAttributeValues: { ':pk': 'RUNS', ':open': 'OPEN#' },
    });
    return (await allItems(items)).map((item) => String(item.runId));
  }

  /**
   * Claims the putting back of a run's lost work, once: only while the run is as `seen` (no progress
   * and no other recovery since), so of two recoveries looking at the same stall one puts it back.
   * The counters are not touched: progress is counted only by the decisions themselves.
   */
  async claimRecovery(seen: Pick<RunItem, 'runId' | 'updatedAt' | 'recoveredAt'>): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(seen.runId),
          UpdateExpression: 'SET #rec = :now ADD #count :one',
          ConditionExpression: `#at = :at AND ${seen.recoveredAt ? '#rec = :rec' : 'attribute_not_exists(#rec)'} AND NOT #phase IN (:delivered, :abandoned)`,
          ExpressionAttributeNames: { '#rec': 'recoveredAt', '#count': 'recoveries', '#at': 'updatedAt', '#phase': 'phase' },
          ExpressionAttributeValues: {
            ':now': this.stamp(),
            ':one': 1,
            ':at': seen.updatedAt,
            ':delivered': 'delivered',
            ':abandoned': 'abandoned',
            ...(seen.recoveredAt ? { ':rec': seen.recoveredAt } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** An operator gives a run up: it is no longer open, and recovery leaves it alone. False when it was delivered already. */
  async abandon(runId: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(runId),
          UpdateExpression: 'SET #phase = :abandoned, abandonedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND NOT #phase IN (:delivered, :abandoned)',
          ExpressionAttributeNames: { '#phase': 'phase' },
          ExpressionAttributeValues: { ':abandoned': 'abandoned', ':delivered': 'delivered', ':now': this.stamp() },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.closeRun(runId);
    return true;
  }

  /** A delivered run is no longer open. */
  async closeRun(runId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: openRunKey(runId) }));
  }

  /**
   * Counts the run's outcomes from its candidates and sets the counters to them: after a crash
   * between a decision and its counter, the counters drift; the candidates are the truth.
   */
  async reconcile(runId: string): Promise<RunItem> {
    let decided = 0;
    let unresolved = 0;
    let after: string | null = null;
    do {
      const page = await this.candidatesPage(runId, after, 500);
      for (const candidate of page.items) {
        if (candidate.outcome === 'UNRESOLVED') unresolved++;
        else if (candidate.outcome) decided++;
      }
      after = page.next;
    } while (after);
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: runKey(runId),
        UpdateExpression: 'SET #decided = :d, #unresolved = :u',
        ExpressionAttributeNames: { '#decided': 'decided', '#unresolved': 'unresolved' },
        ExpressionAttributeValues: { ':d': decided, ':u': unresolved },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as RunItem;
  }

  async getRun(runId: string): Promise<RunItem | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: runKey(runId), ConsistentRead: true }));
    return Item as RunItem | undefined;
  }

  /**
   * Keeps a list page's people until both lists are whole: one Put per page (per part of a page too
   * large for one item). A page split again writes the same items.
   */
  async putPage(runId: string, source: SourceList, page: number, people: ReadonlyMap<string, ListedPerson>): Promise<void> {
    const parts = pageParts(people);
    await Promise.all(
      parts.map((part, i) =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...pageKey(runId, source, page, parts.length > 1 ? i + 1 : undefined), source, page, people: part, expiresAt: this.expiry() },
          }),
        ),
      ),
    );
  }

  /** Every list page (and part) the run keeps, in key order. */
  async listPages(runId: string): Promise<(StoredPage & { readonly sk: string })[]> {
    const items = queryItems(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :page)',
      ExpressionAttributeValues: { ':pk': `RUN#${runId}`, ':page': PAGE_PREFIX },
      ConsistentRead: true,
    });
    return (await allItems(items)).map((item) => ({ sk: String(item.sk), source: item.source as SourceList, people: (item.people ?? {}) as StoredPage['people'] }));
  }

  /**
   * Writes the run's candidates from its list pages, once: merged in memory (`mergePages`), one Put
   * per candidate in BatchWriteItem requests, then `candidatesWritten` on the run. Undefined when
   * they were written already (or there is no run); else how many, and the pages read (to delete).
   *
   * Only once, because a Put replaces the whole item: recovery sends the first fan-out again while
   * candidates have outcomes ('deciding'), and writing them again would erase the outcomes. Writing
   * twice before the flag is set is safe: the fan-out that writes them sends its lookups only when
   * its hop settles, after the flag, so a crash between the Puts and the flag leaves candidates
   * without outcomes, and the retried (or recovered) fan-out writes the same items again.
   *
   * One `writer` at a time (the fan-out message's id): two first fan-outs at once (an operator's
   * `runs resume` within the second the run's own is handled, a message delivered twice) would
   * otherwise both write, the later's Puts perhaps after a decision. The writer claims the run first;
   * another one finds it claimed and comes back later (a transient failure), when the candidates
   * are written and it only walks them. The same writer again (its message redelivered) goes on, and
   * a claim older than `staleAfterMs` — the fan-out's timeout, after which its invocation has ended —
   * is taken over, so a crash mid-writing does not leave the run stuck.
   */
  async writeCandidatesOnce(runId: string, writer: string, staleAfterMs: number): Promise<{ candidates: number; pages: string[] } | undefined> {
    const run = await this.getRun(runId);
    if (!run || run.candidatesWritten) return undefined;
    if (!(await this.claimCandidates(runId, writer, staleAfterMs))) {
      if ((await this.getRun(runId))?.candidatesWritten) return undefined;
      throw new TransientError('candidates-being-written', 'another fan-out of the run is writing its candidates');
    }
    const pages = await this.listPages(runId);
    const candidates = mergePages(pages);
    const expiresAt = this.expiry();
    await batchWrite(
      this.db,
      this.table,
      candidates.map((candidate) => ({ PutRequest: { Item: candidateItem(runId, candidate, expiresAt) } })),
      { inFlight: CANDIDATE_WRITERS },
    );
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: runKey(runId),
        UpdateExpression: 'SET #written = :yes, #at = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#written': 'candidatesWritten', '#at': 'updatedAt' },
        ExpressionAttributeValues: { ':yes': true, ':at': this.stamp() },
      }),
    );
    return { candidates: candidates.length, pages: pages.map((page) => page.sk) };
  }

  /** Claims the writing of the run's candidates for `writer`: false when they are written, or another's claim is younger than `staleAfterMs`. */
  private async claimCandidates(runId: string, writer: string, staleAfterMs: number): Promise<boolean> {
    const now = this.now().getTime();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(runId),
          UpdateExpression: 'SET #writer = :writer, #claimed = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#written) AND (attribute_not_exists(#writer) OR #writer = :writer OR #claimed < :stale)',
          ExpressionAttributeNames: { '#writer': 'candidatesWriter', '#claimed': 'candidatesClaimedAt', '#written': 'candidatesWritten' },
          ExpressionAttributeValues: { ':writer': writer, ':now': now, ':stale': now - staleAfterMs },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Deletes list pages of the run (by sort key) once their candidates are written. */
  async deletePages(runId: string, pages: readonly string[]): Promise<void> {
    await batchWrite(
      this.db,
      this.table,
      pages.map((sk) => ({ DeleteRequest: { Key: { pk: `RUN#${runId}`, sk } } })),
      { inFlight: CANDIDATE_WRITERS },
    );
  }

  /** Notes that a page of a list arrived; returns the run as it is now. */
  async recordPage(runId: string, source: SourceList, page: number, totalPages: number): Promise<RunItem> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: runKey(runId),
        UpdateExpression: 'SET #pages.#src.#total = :total, #pages.#src.#received.#page = :yes, updatedAt = :at',
        ExpressionAttributeNames: { '#pages': 'pages', '#src': source, '#total': 'total', '#received': 'received', '#page': String(page) },
        ExpressionAttributeValues: { ':total': totalPages, ':yes': true, ':at': this.stamp() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as RunItem;
  }

  /**
   * Moves the run from one phase to the next, once: of two handlers that both see a phase end,
   * only one moves it (and so only one starts what follows). Undefined when it was not in `from`.
   */
  async advanceFrom(runId: string, from: Phase, to: Phase, fields: Record<string, unknown> = {}): Promise<RunItem | undefined> {
    try {
      return await this.advance(runId, to, fields, from);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Sets the run's phase (and fields), when given only if it is in phase `from`. */
  async advance(runId: string, phase: Phase, fields: Record<string, unknown> = {}, from?: Phase): Promise<RunItem> {
    const names: Record<string, string> = { '#phase': 'phase', '#at': 'updatedAt' };
    const values: Record<string, unknown> = { ':phase': phase, ':at': this.stamp() };
    const sets = ['#phase = :phase', '#at = :at'];
    Object.entries(fields).forEach(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: runKey(runId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ...(from ? { ConditionExpression: '#phase = :from' } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: from ? { ...values, ':from': from } : values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as RunItem;
  }

  /** One page of the run's candidates, in key order. */
  async candidatesPage(runId: string, after: string | null, limit: number): Promise<{ items: CandidateItem[]; next: string | null }> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :cand)',
        ExpressionAttributeValues: { ':pk': `RUN#${runId}`, ':cand': 'CAND#' },
        Limit: limit,
        ExclusiveStartKey: after ? (JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined,
        ConsistentRead: true,
      }),
    );
    return {
      items: Items.map(toCandidate),
      next: LastEvaluatedKey ? Buffer.from(JSON.stringify(LastEvaluatedKey)).toString('base64url') : null,
    };
  }

  /**
   * The outcomes so far of the candidates of the given keys that the run has (one BatchGetItem per
   * 100, reading the key and the outcome only: the facts of a decision come with its lookup).
   */
  async candidateOutcomes(runId: string, keys: readonly string[]): Promise<Map<string, CandidateOutcome>> {
    const found = new Map<string, CandidateOutcome>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((key) => candidateKey(runId, key));
      while (pending?.length) {
        const result = await this.db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: { Keys: pending, ConsistentRead: true, ProjectionExpression: '#key, #outcome', ExpressionAttributeNames: { '#key': 'key', '#outcome': 'outcome' } },
            },
          }),
        );
        for (const item of result.Responses?.[this.table] ?? []) {
          found.set(String(item.key), { key: String(item.key), ...(item.outcome ? { outcome: item.outcome as Outcome } : {}) });
        }
        pending = result.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  /**
   * Records a candidate's outcome once: a decision over no outcome or over UNRESOLVED (a dead
   * letter redriven and decided after all). Returns the outcome it replaced, or `applied: false`.
   */
  async decide(runId: string, key: string, outcome: Outcome, target?: OutreachTarget): Promise<{ applied: boolean; previous?: Outcome }> {
    const replaceable = outcome === 'UNRESOLVED' ? 'attribute_not_exists(#outcome)' : 'attribute_not_exists(#outcome) OR #outcome = :unresolved';
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: candidateKey(runId, key),
          UpdateExpression: target ? 'SET #outcome = :outcome, decidedAt = :at, #target = :target' : 'SET #outcome = :outcome, decidedAt = :at',
          ConditionExpression: `attribute_exists(pk) AND (${replaceable})`,
          ExpressionAttributeNames: { '#outcome': 'outcome', ...(target ? { '#target': 'target' } : {}) },
          ExpressionAttributeValues: {
            ':outcome': outcome,
            ':at': this.stamp(),
            ...(target ? { ':target': target } : {}),
            ...(outcome === 'UNRESOLVED' ? {} : { ':unresolved': 'UNRESOLVED' }),
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return { applied: true, previous: Attributes?.outcome as Outcome | undefined };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { applied: false };
      throw error;
    }
  }

  /** Adds to the run's counters in one write; returns the run as it is now. */
  async count(runId: string, delta: { decided?: number; unresolved?: number }): Promise<RunItem> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: runKey(runId),
        UpdateExpression: 'ADD #decided :d, #unresolved :u SET updatedAt = :at',
        ExpressionAttributeNames: { '#decided': 'decided', '#unresolved': 'unresolved' },
        ExpressionAttributeValues: { ':d': delta.decided ?? 0, ':u': delta.unresolved ?? 0, ':at': this.stamp() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as RunItem;
  }
}

const toCandidate = (item: Record<string, unknown>): CandidateItem => ({
  key: String(item.key),
  hetu: String(item.hetu),
  sources: [...((item.sources as Set<SourceList> | undefined) ?? [])].sort(),
  kelaRows: Object.entries(item)
    .filter(([name]) => name.startsWith(KELA_PREFIX))
    // An item written before only the rules' part was kept may hold whole rows: their names stay behind.
    .map(([, row]) => kelaBenefitOf(row as KelaBenefit)),
  ...(item.outcome ? { outcome: item.outcome as Outcome } : {}),
  ...(item.target ? { target: item.target as OutreachTarget } : {}),
});

/** Whether both source lists arrived whole. */
export const listsComplete = (run: RunItem): boolean =>
  (['kelmu', 'uma'] as const).every((source) => {
    const { total, received } = run.pages[source];
    // An empty list still sends its page 1 (with zero pages in all).
    return total !== null && Object.keys(received).length >= Math.max(1, total);
  });

/** Whether every candidate has an outcome. */
export const runComplete = (run: RunItem): boolean => run.expected !== null && run.decided + run.unresolved >= run.expected;
