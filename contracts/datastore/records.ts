/**
 * Canonical municipal records → the data store's writes (flow 4: a jobseeker's records go to the
 * employment services data store, whose write contract this folder defines). Pure, no I/O. The hub
 * derives each write's `viite` (`functions/records/viite.ts`) and, for a review, knows the store's
 * identifier of the plan (`tunniste` in the store's answer to the plan's write); both are passed in.
 *
 * What the store's contract has no field for stays behind: the municipal record id, `madeAt`, the
 * jobseeker flag (it chose this store), a plan's or an extension's `exceptionReason`, and the plan
 * a completion belongs to.
 */
import type { MunicipalRecord } from '#contracts/messages/records';
import { toArviointiKirjaus, toPalvelusuoritusKirjaus, toSuunnitelmaKirjaus, toTarkistusKirjaus } from './mapper.ts';
import type { ArviointiKirjaus, PalvelusuoritusKirjaus, SuunnitelmaKirjaus, TarkistusKirjaus } from './wire.ts';

/** A write to send: the service it goes to (`datastorePath`) and its body. */
export type DatastoreWrite =
  | { readonly service: 'assessments'; readonly body: ArviointiKirjaus }
  | { readonly service: 'plans'; readonly body: SuunnitelmaKirjaus }
  | { readonly service: 'reviews'; readonly body: TarkistusKirjaus }
  | { readonly service: 'completions'; readonly body: PalvelusuoritusKirjaus };

export interface DatastoreWriteReferences {
  /** The write's `viite`. */
  readonly viite: string;
  /** The store's identifier of the plan a review belongs to; null for the other records. */
  readonly planId: string | null;
}

/** The data store write of a record; throws when a review comes without its plan's identifier (a fault of the caller). */
export function toDatastoreWrite(record: MunicipalRecord, refs: DatastoreWriteReferences): DatastoreWrite {
  const common = { reference: refs.viite, hetu: record.payload.hetu, municipality: record.municipality };
  switch (record.type) {
    case 'record.assessment.v1':
      return { service: 'assessments', body: toArviointiKirjaus({ ...common, date: record.payload.date, completed: record.payload.completed }) };
    case 'record.plan.v1': {
      const p = record.payload;
      return { service: 'plans', body: toSuunnitelmaKirjaus({ ...common, kind: p.kind, validFrom: p.validFrom, validUntil: p.validUntil }) };
    }
    case 'record.plan-review.v1': {
      if (refs.planId === null) throw new Error('a review’s data store write needs the store’s identifier of its plan (planId)');
      const r = record.payload;
      return { service: 'reviews', body: toTarkistusKirjaus({ ...common, planId: refs.planId, date: r.date, extendedUntil: r.extendedUntil }) };
    }
    case 'record.service-completion.v1': {
      const c = record.payload;
      return {
        service: 'completions',
        body: toPalvelusuoritusKirjaus({ ...common, service: c.service, from: c.from, to: c.to, completed: c.completed }),
      };
    }
  }
}
