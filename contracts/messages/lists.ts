/**
 * Source lists of an outreach run, fetched one page per message so that no list is ever held
 * whole: the adapter fetches the page asked for, passes it to `replyTo`, and asks for the next
 * page on its own queue until the list ends.
 */
import * as z from '#contracts/zod';
import { kelmuRowV1 } from '#contracts/kelmu/mapper';
import { protectionRecipientPageFields } from '#contracts/canonical/residence';
import { lookupContextV1, queueName } from '#contracts/messages/lookup';

const municipality = z.lazy(() => z.string().check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code')));
/** Rows per page: a page of names and codes stays far below the 200 KB message limit. */
export const MAX_LIST_PAGE_SIZE = 500;

const pageRequestFields = () => ({
  municipality,
  /** From 1. */
  page: z.int().check(z.positive('must be 1 or more')),
  pageSize: z.int().check(z.gte(1), z.lte(MAX_LIST_PAGE_SIZE, `must be at most ${MAX_LIST_PAGE_SIZE}`)),
  replyTo: queueName,
  context: lookupContextV1,
});

export const kelmuListRequestedV1 = z.lazy(() => z.object({ ...pageRequestFields(), date: z.iso.date('must be an ISO date YYYY-MM-DD') }));
export type KelmuListRequestedV1 = z.infer<typeof kelmuListRequestedV1>;

export const kelmuListPageV1 = z.lazy(() =>
  z.object({
    municipality,
    date: z.iso.date(),
    page: z.int().check(z.positive()),
    /** Pages in the whole list (0 for an empty list). */
    pages: z.int().check(z.nonnegative()),
    totalRows: z.int().check(z.nonnegative()),
    rows: z.array(kelmuRowV1),
    context: lookupContextV1,
  }),
);
export type KelmuListPageV1 = z.infer<typeof kelmuListPageV1>;

export const umaProtectionListRequestedV1 = z.lazy(() => z.object(pageRequestFields()));
export type UmaProtectionListRequestedV1 = z.infer<typeof umaProtectionListRequestedV1>;

export const umaProtectionListPageV1 = z.lazy(() => z.object({ ...protectionRecipientPageFields(), context: lookupContextV1 }));
export type UmaProtectionListPageV1 = z.infer<typeof umaProtectionListPageV1>;
