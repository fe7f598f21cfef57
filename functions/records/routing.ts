/**
 * Which national system keeps a municipal record (docs/DESIGN.md "Municipal records", flow 4): the
 * assessments and plans of a jobseeker belong to the employment authority's systems — the
 * employment services data store (`contracts/datastore/`) — and everyone else's to KEHA's
 * integration customer information system, Koto-AJ (`contracts/kotoaj/`). The municipal system
 * says which by the record's `jobseeker` flag. Pure.
 *
 * A review belongs to its plan, and so does a completion that names one: each goes to the system
 * that keeps the plan, whatever the flag says by then (a person who has since registered as a
 * jobseeker still has the plan where it was written, and a review anywhere else would name a plan
 * that system does not know). A record whose plan's system is not known, and a completion that
 * names no plan, go by their own flag.
 */
import type { MunicipalRecord } from '#contracts/messages/records';

export type RecordStore = 'datastore' | 'kotoaj';

export const storeByStatus = (jobseeker: boolean): RecordStore => (jobseeker ? 'datastore' : 'kotoaj');

/** The system `record` goes to; `planStore` is where the plan it belongs to was written, when known. */
export function storeOf(record: MunicipalRecord, planStore?: RecordStore): RecordStore {
  switch (record.type) {
    case 'record.assessment.v1':
    case 'record.plan.v1':
      return storeByStatus(record.payload.jobseeker);
    case 'record.plan-review.v1':
      return planStore ?? storeByStatus(record.payload.jobseeker);
    case 'record.service-completion.v1':
      return record.payload.planRecordId !== null && planStore !== undefined ? planStore : storeByStatus(record.payload.jobseeker);
  }
}
