/** What the inbox functions share at run time. */
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { dynamoInboxStore, type InboxStore } from '#functions/inbox/store';
import { listReaderFromEnv } from '#functions/inbox/target-lists';
import type { InboxDeps } from '#functions/inbox/pull';

export const inboxStore = (): InboxStore => dynamoInboxStore(documentClient(), tableName('inbox'));

export const inboxDeps = (): InboxDeps => ({ store: inboxStore(), lists: listReaderFromEnv(), now: Date.now });
