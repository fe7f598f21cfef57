/** SQS message attributes the hub sets: the audit chain link, and on a dead letter its reason. */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes } from 'aws-lambda';

export const ATTR = {
  parentHop: 'koto.parentHop',
  parentDigest: 'koto.parentDigest',
  failureCode: 'koto.failureCode',
  failureReason: 'koto.failureReason',
  failedStage: 'koto.failedStage',
  failedAt: 'koto.failedAt',
  /** Receives of the message from its queue when the hub dead-lettered it. */
  failedReceiveCount: 'koto.failedReceiveCount',
  /** Epoch ms a message first waited for its system's breaker (functions/lib/breaker/guard.ts). */
  waitingSince: 'koto.waitingSince',
} as const;

export const stringAttribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** The link a message carries to the audit record of the hop that produced it, so the next hop continues the chain. */
export const chainAttributes = (parent: { readonly hop: string; readonly digest: string }): Record<string, MessageAttributeValue> => ({
  [ATTR.parentHop]: stringAttribute(parent.hop),
  [ATTR.parentDigest]: stringAttribute(parent.digest),
});

export const readAttribute = (attributes: SQSMessageAttributes | undefined, name: string): string | undefined =>
  attributes?.[name]?.stringValue ?? undefined;

/** The attributes of a Lambda event record, back in the SendMessage shape (to forward them). */
export const forwardAttributes = (attributes: SQSMessageAttributes | undefined): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(attributes ?? {})
      .filter(([, v]) => v.stringValue !== undefined)
      .map(([name, v]) => [name, { DataType: v.dataType, StringValue: v.stringValue }]),
  );
