/**
 * Data store wire ⇄ canonical (pure, no I/O). The hub reads the customer status as
 * `IntegrationStatus` (outreach rule 4) and writes assessments, plans, reviews and service
 * completions from canonical records (flow 4).
 */
import * as z from '#contracts/zod';
import type {
  ArviointiKirjaus,
  AsiakkuusKysely,
  AsiakkuusVastaus,
  Palvelu,
  PalvelusuoritusKirjaus,
  SuunnitelmaKirjaus,
  SuunnitelmaTyyppi,
  TarkistusKirjaus,
} from './wire.ts';

export const planKinds = ['basic', 'multi-sectoral', 'family'] as const;
export type PlanKind = (typeof planKinds)[number];

export const integrationServices = [
  'civic-orientation',
  'integration-training',
  'literacy-training',
  'self-motivated-study',
  'other',
] as const;
export type IntegrationService = (typeof integrationServices)[number];

/** Canonical customer status: what outreach rule 4 needs. */
export const integrationStatusV1 = z.lazy(() =>
  z.object({
    hetu: z.string(),
    assessments: z.array(z.object({ date: z.iso.date(), completed: z.boolean() })),
    plans: z.array(z.object({ kind: z.enum(planKinds), validFrom: z.iso.date(), validUntil: z.iso.date() })),
  }),
);
export type IntegrationStatus = z.infer<typeof integrationStatusV1>;

/** Canonical writes; `reference` is the sender's idempotency key (the record's derived `viite`, `functions/records/viite.ts`). */
export interface AssessmentWrite {
  readonly reference: string;
  readonly hetu: string;
  readonly municipality: string;
  readonly date: string;
  readonly completed: boolean;
}

export interface PlanWrite {
  readonly reference: string;
  readonly hetu: string;
  readonly municipality: string;
  readonly kind: PlanKind;
  readonly validFrom: string;
  readonly validUntil: string;
}

export interface PlanReviewWrite {
  readonly reference: string;
  readonly hetu: string;
  readonly municipality: string;
  /** The data store's identifier of the plan (`tunniste` in its status). */
  readonly planId: string;
  readonly date: string;
  /** New last day of validity when the review extends the plan. */
  readonly extendedUntil: string | null;
}

export interface ServiceCompletionWrite {
  readonly reference: string;
  readonly hetu: string;
  readonly municipality: string;
  readonly service: IntegrationService;
  readonly from: string;
  readonly to: string | null;
  readonly completed: boolean;
}

const kindOf: Readonly<Record<SuunnitelmaTyyppi, PlanKind>> = {
  PERUS: 'basic',
  MONIALAINEN: 'multi-sectoral',
  PERHE: 'family',
};
const tyyppiOf: Readonly<Record<PlanKind, SuunnitelmaTyyppi>> = {
  basic: 'PERUS',
  'multi-sectoral': 'MONIALAINEN',
  family: 'PERHE',
};
const serviceOf: Readonly<Record<Palvelu, IntegrationService>> = {
  YHTEISKUNTAORIENTAATIO: 'civic-orientation',
  KOTOUTUMISKOULUTUS: 'integration-training',
  LUKUTAITOKOULUTUS: 'literacy-training',
  OMAEHTOINEN_OPISKELU: 'self-motivated-study',
  MUU: 'other',
};
const palveluOf: Readonly<Record<IntegrationService, Palvelu>> = {
  'civic-orientation': 'YHTEISKUNTAORIENTAATIO',
  'integration-training': 'KOTOUTUMISKOULUTUS',
  'literacy-training': 'LUKUTAITOKOULUTUS',
  'self-motivated-study': 'OMAEHTOINEN_OPISKELU',
  other: 'MUU',
};

export const planKindOf = (tyyppi: SuunnitelmaTyyppi): PlanKind => kindOf[tyyppi];
export const suunnitelmaTyyppiOf = (kind: PlanKind): SuunnitelmaTyyppi => tyyppiOf[kind];
export const palveluOfService = (service: IntegrationService): Palvelu => palveluOf[service];

/** The customer status query of a person: the code goes in the body, never in the path. */
export const toAsiakkuusKysely = (hetu: string): AsiakkuusKysely => ({ hetu });

/** Customer status, canonical; a plan's `validUntil` includes its extensions. */
export const fromAsiakkuusVastaus = (status: AsiakkuusVastaus): IntegrationStatus => ({
  hetu: status.hetu,
  assessments: status.arvioinnit.map((a) => ({ date: a.arviointipvm, completed: a.valmis })),
  plans: status.suunnitelmat.map((p) => ({ kind: kindOf[p.tyyppi], validFrom: p.voimassaAlkaen, validUntil: p.voimassaAsti })),
});

export const toArviointiKirjaus = (write: AssessmentWrite): ArviointiKirjaus => ({
  viite: write.reference,
  hetu: write.hetu,
  kunta: write.municipality,
  arviointipvm: write.date,
  valmis: write.completed,
});

export const fromArviointiKirjaus = (wire: ArviointiKirjaus): AssessmentWrite => ({
  reference: wire.viite,
  hetu: wire.hetu,
  municipality: wire.kunta,
  date: wire.arviointipvm,
  completed: wire.valmis,
});

export const toSuunnitelmaKirjaus = (write: PlanWrite): SuunnitelmaKirjaus => ({
  viite: write.reference,
  hetu: write.hetu,
  kunta: write.municipality,
  tyyppi: tyyppiOf[write.kind],
  voimassaAlkaen: write.validFrom,
  voimassaAsti: write.validUntil,
});

export const fromSuunnitelmaKirjaus = (wire: SuunnitelmaKirjaus): PlanWrite => ({
  reference: wire.viite,
  hetu: wire.hetu,
  municipality: wire.kunta,
  kind: kindOf[wire.tyyppi],
  validFrom: wire.voimassaAlkaen,
  validUntil: wire.voimassaAsti,
});

export const toTarkistusKirjaus = (write: PlanReviewWrite): TarkistusKirjaus => ({
  viite: write.reference,
  hetu: write.hetu,
  kunta: write.municipality,
  suunnitelmaTunniste: write.planId,
  tarkistuspvm: write.date,
  jatkoAsti: write.extendedUntil,
});

export const fromTarkistusKirjaus = (wire: TarkistusKirjaus): PlanReviewWrite => ({
  reference: wire.viite,
  hetu: wire.hetu,
  municipality: wire.kunta,
  planId: wire.suunnitelmaTunniste,
  date: wire.tarkistuspvm,
  extendedUntil: wire.jatkoAsti,
});

export const toPalvelusuoritusKirjaus = (write: ServiceCompletionWrite): PalvelusuoritusKirjaus => ({
  viite: write.reference,
  hetu: write.hetu,
  kunta: write.municipality,
  palvelu: palveluOf[write.service],
  alkupvm: write.from,
  loppupvm: write.to,
  suoritettu: write.completed,
});

export const fromPalvelusuoritusKirjaus = (wire: PalvelusuoritusKirjaus): ServiceCompletionWrite => ({
  reference: wire.viite,
  hetu: wire.hetu,
  municipality: wire.kunta,
  service: serviceOf[wire.palvelu],
  from: wire.alkupvm,
  to: wire.loppupvm,
  completed: wire.suoritettu,
});
