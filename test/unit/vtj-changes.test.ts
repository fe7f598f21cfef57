import { describe, expect, it } from 'vitest';
import { personChangeEventV1 } from '#contracts/canonical/person';
import {
  VTJ_MUTPA_KIRJAUSAVAIN_PATH,
  VTJ_MUTPA_MUUTOKSET_PATH,
  buildDeathChange,
  buildMoveChange,
  buildTurvakieltoChange,
  mapVtjChange,
  mapVtjChanges,
  parseKirjausavainResponse,
  parseMuutoksetRequest,
  parseMuutoksetResponse,
  vtjMutpaDateToIso,
  vtjMutpaServiceId,
  type Muutos,
} from '#contracts/vtj/changes';
import { VtjContractError } from '#contracts/vtj/wire';
import { xRoadRestPath } from '#contracts/xroad/rest';

const HETU = '130580-9014';
const VAASA = '905';
const AT = '2026-03-02T08:00:00.000Z';
const day = (arvo: string) => ({ arvo, tarkkuus: 'PAIVA' });

const change = (tietoryhmat: Muutos['tietoryhmat'], henkilotunnus = HETU): Muutos => ({ muutospv: AT, henkilotunnus, tietoryhmat });

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

/** A recorded answer in the shape DVV's VTJmutpa returns (fictional persons). */
const RECORDED = {
  viimeisinKirjausavain: 100000042,
  ajanTasalla: false,
  muutokset: [
    {
      henkilotunnus: HETU,
      muutospv: '2026-03-02T08:00:00.000Z',
      tietoryhmat: [
        { tietoryhma: 'KOTIKUNTA', kuntakoodi: '905', kuntaanMuuttopv: day('2026-03-01'), kuntaanMuuttoPv: day('2026-03-01'), muutosattribuutti: 'LISATTY' },
        { tietoryhma: 'EDELLINEN_KOTIKUNTA', kuntakoodi: '049', kuntaanMuuttopv: day('2024-01-01'), kunnastaPoisMuuttopv: day('2026-02-28'), muutosattribuutti: 'MUUTETTU' },
        {
          tietoryhma: 'VAKINAINEN_KOTIMAINEN_OSOITE',
          muutosattribuutti: 'LISATTY',
          katunimi: { fi: 'Kauppapuistikko', sv: 'Handelsesplanaden' },
          katunumero: '5',
          postinumero: '65100',
          postitoimipaikka: { fi: 'VAASA', sv: 'VASA' },
          alkupv: day('2026-03-01'),
        },
        { tietoryhma: 'HENKILON_NIMI', muutosattribuutti: 'MUUTETTU', etunimi: 'Van', sukunimi: 'Nguyen' },
      ],
    },
    {
      henkilotunnus: '021175-902L',
      muutospv: '2026-03-03T08:00:00.000Z',
      tietoryhmat: [
        { tietoryhma: 'TURVAKIELTO', muutosattribuutti: 'LISATTY', turvakieltoAktiivinen: true },
        {
          tietoryhma: 'VAKINAINEN_KOTIMAINEN_OSOITE',
          turvakiellonAlaisetKentat: ['katunimi', 'katunumero', 'postinumero', 'postitoimipaikka'],
          muutosattribuutti: 'MUUTETTU',
        },
        { tietoryhma: 'KOTIKUNTA', kuntakoodi: '905', kuntaanMuuttopv: day('2020-06-02'), muutosattribuutti: 'LISATIETO' },
      ],
    },
  ],
};

describe('VTJmutpa wire schemas', () => {
  it('reads the starting key, as a number or a string of digits', () => {
    expect(parseKirjausavainResponse({ viimeisinKirjausavain: 100000021 })).toEqual({ viimeisinKirjausavain: 100000021 });
    expect(parseKirjausavainResponse({ viimeisinKirjausavain: '100000021' })).toEqual({ viimeisinKirjausavain: 100000021 });
    expect(() => parseKirjausavainResponse({ viimeisinKirjausavain: -1 })).toThrow(VtjContractError);
    expect(() => parseKirjausavainResponse({})).toThrow(VtjContractError);
  });

  it('validates a muutokset request', () => {
    expect(parseMuutoksetRequest({ viimeisinKirjausavain: 5, hetulista: [HETU] })).toEqual({ viimeisinKirjausavain: 5, hetulista: [HETU] });
    const error = errorOf(() => parseMuutoksetRequest({ viimeisinKirjausavain: 5, hetulista: [] }));
    expect(error.message).toContain('hetulista');
  });

  it('reads a recorded answer, keeping data groups it does not map', () => {
    const parsed = parseMuutoksetResponse(RECORDED);
    expect(parsed.viimeisinKirjausavain).toBe(100000042);
    expect(parsed.ajanTasalla).toBe(false);
    expect(parsed.muutokset[0]?.tietoryhmat).toHaveLength(4);
  });

  it('refuses a known data group without its fields, naming the place and not the value', () => {
    const broken = { ...RECORDED, muutokset: [change([{ tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'LISATTY' } as never])] };
    const error = errorOf(() => parseMuutoksetResponse(broken));
    expect(error).toBeInstanceOf(VtjContractError);
    expect(error.message).toContain('muutokset.0.tietoryhmat.0');
    expect(error.message).not.toContain(HETU);
  });

  it('refuses a municipality code without its leading zeros', () => {
    const broken = { ...RECORDED, muutokset: [change([{ tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'LISATTY', kuntakoodi: '49' } as never])] };
    expect(() => parseMuutoksetResponse(broken)).toThrow(VtjContractError);
  });

  it('builds the X-Road REST paths', () => {
    const service = vtjMutpaServiceId('FI');
    expect(xRoadRestPath(service, ...VTJ_MUTPA_KIRJAUSAVAIN_PATH('2026-11-01'))).toBe('/r1/FI/GOV/0245437-2/VTJmutpa/api/v1/kirjausavain/2026-11-01');
    expect(xRoadRestPath(service, ...VTJ_MUTPA_MUUTOKSET_PATH)).toBe('/r1/FI/GOV/0245437-2/VTJmutpa/api/v1/muutokset');
  });

  it('reads dates of any precision as their first day', () => {
    expect(vtjMutpaDateToIso(day('2026-03-01'))).toBe('2026-03-01');
    expect(vtjMutpaDateToIso({ arvo: '2026-03', tarkkuus: 'KUUKAUSI' })).toBe('2026-03-01');
    expect(vtjMutpaDateToIso({ arvo: '2026', tarkkuus: 'VUOSI' })).toBe('2026-01-01');
    expect(vtjMutpaDateToIso(undefined)).toBeNull();
  });
});

describe('changes -> canonical events for a municipality', () => {
  it('a recorded answer: moved-in for Vaasa, moved-out for Espoo, turvakielto change without an address', () => {
    const answer = parseMuutoksetResponse(RECORDED);
    expect(mapVtjChanges(answer, VAASA)).toEqual([
      { type: 'person.moved-in', hetu: HETU, municipality: VAASA, changedAt: '2026-03-02T08:00:00.000Z', movedOn: '2026-03-01' },
      {
        type: 'person.changed',
        hetu: '021175-902L',
        municipality: VAASA,
        changedAt: '2026-03-03T08:00:00.000Z',
        changes: ['address', 'turvakielto'],
        turvakielto: true,
        dateOfDeath: null,
        activeHetu: null,
      },
    ]);
    expect(mapVtjChanges(answer, '049')[0]).toEqual({
      type: 'person.moved-out',
      hetu: HETU,
      municipality: '049',
      changedAt: '2026-03-02T08:00:00.000Z',
      newMunicipality: VAASA,
      movedOn: '2026-03-01',
    });
  });

  it('every event validates against the canonical schema and carries no address', () => {
    const events = mapVtjChanges(parseMuutoksetResponse(RECORDED), VAASA);
    for (const event of events) expect(personChangeEventV1.safeParse(event).success).toBe(true);
    const text = JSON.stringify(events);
    expect(text).not.toContain('Kauppapuistikko');
    expect(text).not.toContain('65100');
  });

  it('a move to another municipality is moved-out, with the new one named', () => {
    const events = mapVtjChange(buildMoveChange({ hetu: HETU, from: VAASA, to: '091', on: '2026-05-01' }), VAASA);
    expect(events).toEqual([
      { type: 'person.moved-out', hetu: HETU, municipality: VAASA, changedAt: '2026-05-01T08:00:00.000Z', newMunicipality: '091', movedOn: '2026-05-01' },
    ]);
  });

  it('a move abroad is moved-out to 200', () => {
    const events = mapVtjChange(buildMoveChange({ hetu: HETU, from: VAASA, to: '200', on: '2026-05-01' }), VAASA);
    expect(events[0]).toMatchObject({ type: 'person.moved-out', newMunicipality: '200' });
  });

  it('an end date on the previous home municipality alone is moved-out, effective the day after', () => {
    const events = mapVtjChange(
      change([{ tietoryhma: 'EDELLINEN_KOTIKUNTA', muutosattribuutti: 'MUUTETTU', kuntakoodi: VAASA, kunnastaPoisMuuttopv: day('2026-04-30') }]),
      VAASA,
    );
    expect(events).toEqual([{ type: 'person.moved-out', hetu: HETU, municipality: VAASA, changedAt: AT, newMunicipality: null, movedOn: '2026-05-01' }]);
  });

  it('removing the home municipality M is moved-out of M', () => {
    const events = mapVtjChange(change([{ tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'POISTETTU', kuntakoodi: VAASA }]), VAASA);
    expect(events[0]).toMatchObject({ type: 'person.moved-out', newMunicipality: null, movedOn: null });
  });

  it('a move into M from abroad with no previous record is moved-in', () => {
    const events = mapVtjChange(buildMoveChange({ hetu: HETU, to: VAASA, on: '2026-02-01' }), VAASA);
    expect(events).toEqual([{ type: 'person.moved-in', hetu: HETU, municipality: VAASA, changedAt: '2026-02-01T08:00:00.000Z', movedOn: '2026-02-01' }]);
  });

  it('context groups (LISATIETO) and unknown groups make no event', () => {
    expect(mapVtjChange(change([{ tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'LISATIETO', kuntakoodi: VAASA }]), VAASA)).toEqual([]);
    expect(mapVtjChange(change([{ tietoryhma: 'HUOLTAJA_SUPPEA', muutosattribuutti: 'LISATTY' }]), VAASA)).toEqual([]);
  });

  it('an address change without a move is person.changed [address]', () => {
    const events = mapVtjChange(change([{ tietoryhma: 'VAKINAINEN_KOTIMAINEN_OSOITE', muutosattribuutti: 'LISATTY', postinumero: '65200' }]), VAASA);
    expect(events).toEqual([
      { type: 'person.changed', hetu: HETU, municipality: VAASA, changedAt: AT, changes: ['address'], turvakielto: null, dateOfDeath: null, activeHetu: null },
    ]);
  });

  it('turvakielto lifted is person.changed with turvakielto false', () => {
    const events = mapVtjChange(buildTurvakieltoChange({ hetu: HETU, active: false, changedAt: AT }), VAASA);
    expect(events[0]).toMatchObject({ type: 'person.changed', changes: ['turvakielto'], turvakielto: false });
  });

  it('a death is person.changed with the date of death', () => {
    const events = mapVtjChange(buildDeathChange({ hetu: HETU, dateOfDeath: '2026-01-30', changedAt: AT }), VAASA);
    expect(events[0]).toMatchObject({ type: 'person.changed', changes: ['death'], dateOfDeath: '2026-01-30' });
  });

  it('a corrected personal identity code is person.changed with the code now in use', () => {
    const events = mapVtjChange(
      change([
        {
          tietoryhma: 'HENKILOTUNNUS_KORJAUS',
          muutosattribuutti: 'LISATTY',
          voimassaolo: 'AKTIIVI',
          muutettuHenkilotunnus: '051087-9147',
          aktiivinenHenkilotunnus: '051087-9147',
          edellisetHenkilotunnukset: [HETU],
        },
      ]),
      VAASA,
    );
    expect(events[0]).toMatchObject({ type: 'person.changed', changes: ['hetu-correction'], activeHetu: '051087-9147' });
  });

  it('a move with a death in the same record gives both events, the address folded into the move', () => {
    const move = buildMoveChange({ hetu: HETU, from: '049', to: VAASA, on: '2026-03-01' });
    const both = { ...move, tietoryhmat: [...move.tietoryhmat, { tietoryhma: 'KUOLINPAIVA', muutosattribuutti: 'LISATTY', kuollut: true, kuolinpv: day('2026-03-20') }] };
    const events = mapVtjChange(both, VAASA);
    expect(events.map((e) => e.type)).toEqual(['person.moved-in', 'person.changed']);
    expect(events[1]).toMatchObject({ changes: ['death'] });
  });

  describe('corrections (KORJATTAVA → KORJATTU) and removals with the values in force', () => {
    const ESPOO = '049';

    it('a withdrawn death is no death: person.changed [death] with no date of death', () => {
      const events = mapVtjChange(
        change([
          { tietoryhma: 'KUOLINPAIVA', muutosattribuutti: 'KORJATTAVA', kuollut: true, kuolinpv: day('2026-02-11') },
          { tietoryhma: 'KUOLINPAIVA', muutosattribuutti: 'KORJATTU', kuollut: false },
        ]),
        VAASA,
      );
      expect(events).toEqual([
        { type: 'person.changed', hetu: HETU, municipality: VAASA, changedAt: AT, changes: ['death'], turvakielto: null, dateOfDeath: null, activeHetu: null },
      ]);
    });

    it('a corrected date of death carries the corrected date, not the withdrawn one', () => {
      const events = mapVtjChange(
        change([
          { tietoryhma: 'KUOLINPAIVA', muutosattribuutti: 'KORJATTAVA', kuollut: true, kuolinpv: day('2026-02-11') },
          { tietoryhma: 'KUOLINPAIVA', muutosattribuutti: 'KORJATTU', kuollut: true, kuolinpv: day('2026-02-01') },
        ]),
        VAASA,
      );
      expect(events[0]).toMatchObject({ changes: ['death'], dateOfDeath: '2026-02-01' });
    });

    // Vaasa → Espoo recorded, then withdrawn: KOTIKUNTA Espoo removed with Vaasa in force, Vaasa's end date corrected away.
    const withdrawnMove = change([
      {
        tietoryhma: 'KOTIKUNTA',
        muutosattribuutti: 'POISTETTU',
        kuntakoodi: ESPOO,
        kuntaanMuuttopv: day('2026-02-01'),
        voimassaolevatTiedot: [{ tietoryhma: 'KOTIKUNTA', kuntakoodi: VAASA, kuntaanMuuttopv: day('2021-09-15') }],
      },
      { tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'LISATIETO', kuntakoodi: VAASA, kuntaanMuuttopv: day('2021-09-15') },
      { tietoryhma: 'EDELLINEN_KOTIKUNTA', muutosattribuutti: 'KORJATTAVA', kuntakoodi: VAASA, kuntaanMuuttopv: day('2021-09-15'), kunnastaPoisMuuttopv: day('2026-01-31') },
      { tietoryhma: 'EDELLINEN_KOTIKUNTA', muutosattribuutti: 'KORJATTU', kuntakoodi: VAASA, kuntaanMuuttopv: day('2021-09-15') },
    ]);

    it('a withdrawn move puts the person back: moved-in for the municipality now in force, never a moved-out of it', () => {
      expect(mapVtjChange(withdrawnMove, VAASA)).toEqual([{ type: 'person.moved-in', hetu: HETU, municipality: VAASA, changedAt: AT, movedOn: '2021-09-15' }]);
    });

    it('a withdrawn move is a moved-out of the municipality it had named, to the one now in force', () => {
      expect(mapVtjChange(withdrawnMove, ESPOO)).toEqual([
        { type: 'person.moved-out', hetu: HETU, municipality: ESPOO, changedAt: AT, newMunicipality: VAASA, movedOn: '2021-09-15' },
      ]);
    });

    it('a corrected move date within the same municipality is no move', () => {
      const events = mapVtjChange(
        change([
          { tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'KORJATTAVA', kuntakoodi: VAASA, kuntaanMuuttopv: day('2026-02-01') },
          { tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'KORJATTU', kuntakoodi: VAASA, kuntaanMuuttopv: day('2026-01-15') },
        ]),
        VAASA,
      );
      expect(events).toEqual([
        { type: 'person.changed', hetu: HETU, municipality: VAASA, changedAt: AT, changes: ['kotikunta'], turvakielto: null, dateOfDeath: null, activeHetu: null },
      ]);
    });

    it('a withdrawn turvakielto leaves the state VTJ lists in force', () => {
      const events = mapVtjChange(
        change([
          { tietoryhma: 'TURVAKIELTO', muutosattribuutti: 'KORJATTAVA', turvakieltoAktiivinen: true },
          { tietoryhma: 'TURVAKIELTO', muutosattribuutti: 'KORJATTU', turvakieltoAktiivinen: false },
        ]),
        VAASA,
      );
      expect(events[0]).toMatchObject({ changes: ['turvakielto'], turvakielto: false });
    });

    it('refuses a value in force that does not fit the contract, naming where it is', () => {
      const broken = change([
        { tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'POISTETTU', kuntakoodi: ESPOO, voimassaolevatTiedot: [{ tietoryhma: 'KOTIKUNTA', kuntakoodi: '91' }] },
      ]);
      const error = errorOf(() => mapVtjChange(broken, VAASA));
      expect(error).toBeInstanceOf(VtjContractError);
      expect(error.message).toContain('tietoryhmat[0].voimassaolevatTiedot[0]');
      expect(error.message).toContain('kuntakoodi');
    });
  });

  it('refuses a change for a malformed code, naming the record and not the code', () => {
    const answer = parseMuutoksetResponse({ viimeisinKirjausavain: 1, ajanTasalla: true, muutokset: [buildDeathChange({ hetu: '130580-9015', dateOfDeath: '2026-01-30', changedAt: AT })] });
    const error = errorOf(() => mapVtjChanges(answer, VAASA));
    expect(error).toBeInstanceOf(VtjContractError);
    expect(error.message).toContain('muutokset[0]');
    expect(error.message).not.toContain('130580-9015');
  });

  it('refuses a municipality that is not three digits', () => {
    expect(() => mapVtjChanges(parseMuutoksetResponse(RECORDED), '91')).toThrow(RangeError);
  });
});
