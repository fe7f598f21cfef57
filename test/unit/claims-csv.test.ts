import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { parseCostRowsCsv } from '#contracts/claims/csv';

const HETU = makeHetu('1988-07-21', 904);
const OTHER = makeHetu('2009-03-15', 912);
const HEADER = 'tosite;henkilotunnus;korvauslaji;alkupvm;loppupvm;summa';
const file = (...lines: string[]): string => [HEADER, ...lines].join('\r\n');

describe('the cost-row CSV import', () => {
  it('reads rows by header name, Finnish dates and decimal-comma amounts into integer cents', () => {
    const result = parseCostRowsCsv(
      file(`TOS-1;${HETU};SPECIAL_COSTS;1.9.2026;30.9.2026;"1 284,50"`, `TOS-2;${OTHER.toLowerCase()};interpretation;2026-09-14;2026-09-14;89,9`, 'TOS-3;;PREPAREDNESS;1.7.2026;30.9.2026;25000'),
    );
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      { line: 2, row: { voucher: 'TOS-1', hetu: HETU, compensationType: 'SPECIAL_COSTS', from: '2026-09-01', to: '2026-09-30', amountCents: 128450 } },
      { line: 3, row: { voucher: 'TOS-2', hetu: OTHER, compensationType: 'INTERPRETATION', from: '2026-09-14', to: '2026-09-14', amountCents: 8990 } },
      { line: 4, row: { voucher: 'TOS-3', hetu: null, compensationType: 'PREPAREDNESS', from: '2026-07-01', to: '2026-09-30', amountCents: 2500000 } },
    ]);
  });

  it('takes the columns in any order, ignores others, a byte order mark, LF line ends and empty lines', () => {
    const text = `\ufeffSumma;Kustannuspaikka;LOPPUPVM;alkupvm;korvauslaji;henkilotunnus;tosite\n\n12,00;4410;2.1.2026;1.1.2026;INTERPRETATION;${HETU};A/1\n`;
    const result = parseCostRowsCsv(text);
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([{ line: 3, row: { voucher: 'A/1', hetu: HETU, compensationType: 'INTERPRETATION', from: '2026-01-01', to: '2026-01-02', amountCents: 1200 } }]);
  });

  it('names every bad row by line and column, every bad column of it, and keeps the good rows', () => {
    const result = parseCostRowsCsv(
      file(
        `TOS-1;${HETU};SPECIAL_COSTS;1.9.2026;30.9.2026;10,00`,
        `TOS-2;${HETU};SPECIAL;31.9.2026;30.9.2026;10.00`,
        `;${HETU};INTERPRETATION;1.9.2026;30.9.2026;10,00`,
        `TOS-4;${HETU};INTERPRETATION;2.9.2026;1.9.2026;10,00`,
        `TOS-5;;INTERPRETATION;1.9.2026;1.9.2026;10,00`,
        `TOS-6;${HETU};PREPAREDNESS;1.9.2026;1.9.2026;10,00`,
        `TOS-7;${HETU};INTERPRETATION;1.9.2026`,
        `TOS-8;${HETU};INTERPRETATION;1.9.2026;1.9.2026;-5,00`,
      ),
    );
    expect(result.rows.map((r) => r.line)).toEqual([2]);
    expect(result.problems.map(({ line, column }) => `${line}:${column}`)).toEqual([
      '3:korvauslaji',
      '3:alkupvm',
      '3:summa',
      '4:tosite',
      '5:loppupvm',
      '6:henkilotunnus',
      '7:henkilotunnus',
      '8:(row)',
      '9:summa',
    ]);
  });

  it('never puts a value in a problem: not the HETU, not a misplaced HETU, not an amount', () => {
    const result = parseCostRowsCsv(file(`${HETU};${HETU};${HETU};${HETU};${HETU};${HETU}`, `"12,34";x;SPECIAL_COSTS;1.1.2026;1.1.2026;${OTHER}`));
    expect(result.problems.length).toBeGreaterThan(4);
    const text = JSON.stringify(result.problems);
    for (const secret of [HETU, OTHER, HETU.slice(0, 6), OTHER.slice(0, 6), '12,34']) expect(text).not.toContain(secret);
  });

  it('reads quoted fields with separators, doubled quotes and line breaks, counting lines from the record start', () => {
    const result = parseCostRowsCsv(file(`"TOS;1";${HETU};INTERPRETATION;1.1.2026;1.1.2026;1,00`, `TOS-2;"${HETU}";INTERPRETATION;1.1.2026;1.1.2026;"1\n000,00"`, `TOS-3;${HETU};X;1.1.2026;1.1.2026;1,00`));
    expect(result.rows.map((r) => r.line)).toEqual([]);
    expect(result.problems.map(({ line, column }) => `${line}:${column}`)).toEqual(['2:tosite', '3:summa', '5:korvauslaji']);
  });

  it('refuses a header without a needed column, and a file that ends inside quotes', () => {
    expect(parseCostRowsCsv('tosite;korvauslaji;alkupvm;loppupvm;summa\nA;INTERPRETATION;1.1.2026;1.1.2026;1,00')).toEqual({
      rows: [],
      problems: [{ line: 1, column: '(header)', message: 'the header lacks the column henkilotunnus' }],
    });
    expect(parseCostRowsCsv('')).toMatchObject({ rows: [], problems: [{ line: 1, column: '(header)' }] });
    const open = parseCostRowsCsv(file(`TOS-1;${HETU};INTERPRETATION;1.1.2026;1.1.2026;"1,00`));
    expect(open.problems).toEqual([{ line: 2, column: '(row)', message: 'a quoted field is not closed before the end of the file' }]);
  });
});
