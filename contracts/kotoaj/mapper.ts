/**
 * Canonical municipal records → Koto-AJ writes (pure, no I/O). The hub derives the `viite` of each
 * write and of the plan a record belongs to (`functions/records/viite.ts`) and passes them in, so
 * that the mapper stays a translation.
 */
import type { MunicipalRecord } from '#contracts/messages/records';
import { palveluOfService, suunnitelmaTyyppiOf } from '#contracts/datastore/mapper';
import type { ArviointiKirjaus, PalvelusuoritusKirjaus, SuunnitelmaKirjaus, TarkistusKirjaus } from './wire.ts';

/** A write to send: the service it goes to and its body. */
export type KotoAjWrite =
  | { readonly service: 'assessments'; readonly body: ArviointiKirjaus }
  | { readonly service: 'plans'; readonly body: SuunnitelmaKirjaus }
  | { readonly service: 'reviews'; readonly body: TarkistusKirjaus }
  | { readonly service: 'completions'; readonly body: PalvelusuoritusKirjaus };

export interface WriteReferences {
  /** The write's own `viite`. */
  readonly viite: string;
  /** The `viite` of the plan's write, for a review (always) and a completion that names a plan. */
  readonly planViite: string | null;
}

/** The Koto-AJ write of a record; throws when a review comes without its plan's `viite` (a fault of the caller). */
export function toKotoAjWrite(record: MunicipalRecord, refs: WriteReferences): KotoAjWrite {
  const common = { viite: refs.viite, kunnanTunniste: record.payload.recordId, hetu: record.payload.hetu, kunta: record.municipality };
  switch (record.type) {
    case 'record.assessment.v1':
      return { service: 'assessments', body: { ...common, arviointipvm: record.payload.date, valmis: record.payload.completed } };
    case 'record.plan.v1': {
      const p = record.payload;
      return {
        service: 'plans',
        body: { ...common, tyyppi: suunnitelmaTyyppiOf(p.kind), voimassaAlkaen: p.validFrom, voimassaAsti: p.validUntil, poikkeusperuste: p.exceptionReason },
      };
    }
    case 'record.plan-review.v1': {
      if (refs.planViite === null) throw new Error('a review’s Koto-AJ write needs the viite of its plan (planViite)');
      const r = record.payload;
      return {
        service: 'reviews',
        body: { ...common, suunnitelmaViite: refs.planViite, tarkistuspvm: r.date, jatkoAsti: r.extendedUntil, poikkeusperuste: r.exceptionReason },
      };
    }
    case 'record.service-completion.v1': {
      const c = record.payload;
      return {
        service: 'completions',
        body: {
          ...common,
          suunnitelmaViite: c.planRecordId === null ? null : refs.planViite,
          palvelu: palveluOfService(c.service),
          alkupvm: c.from,
          loppupvm: c.to,
          suoritettu: c.completed,
        },
      };
    }
  }
}
