/**
 * The `viite` of a record's write (the national systems' idempotency key, a UUID): derived, not
 * drawn, so that every copy of a record — a retry, a second post with a new messageId, a redrive —
 * names the same write, and a store answers a repeat with its first answer instead of storing the
 * record twice (docs/DESIGN.md "Municipal records").
 *
 * It is the name-based UUID (RFC 9562 version 5 layout, `deterministicUuid`) of `record`, the
 * sending municipality, the kind of record (`plan`, not `record.plan.v1`: a later version of the
 * message type still names the same write) and the municipal system's record id. None of them is
 * personal data (the record id may hold no identity code), and the person is not part of it: a
 * record id names one record of the municipality whoever it concerns. A record sent again under
 * its id with other content gets the same `viite`, and a store answers it 409: a change is a new
 * record, not an edit.
 */
import { deterministicUuid } from '#lib/ids';
import { planRecordIdOf, recordKinds, type MunicipalRecord, type RecordKind } from '#contracts/messages/records';

export const writeViite = (municipality: string, kind: RecordKind, recordId: string): string =>
  deterministicUuid('record', municipality, kind, recordId);

/** The `viite` of a record's own write. */
export const recordViite = (record: MunicipalRecord): string =>
  writeViite(record.municipality, recordKinds[record.type], record.payload.recordId);

/** The `viite` of the plan a review or completion belongs to, or null when it names none. */
export const planViiteOf = (record: MunicipalRecord): string | null => {
  const planRecordId = planRecordIdOf(record);
  return planRecordId === null ? null : writeViite(record.municipality, 'plan', planRecordId);
};
