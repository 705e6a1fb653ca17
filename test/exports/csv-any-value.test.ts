import assert from 'node:assert/strict';
import type { Delivery } from '../../src/domain/broadcast';
import type { Participant } from '../../src/domain/participant';
import {
  csvCell,
  DELIVERY_COLUMNS,
  deliveriesCsv,
  PARTICIPANT_COLUMNS,
  type ParticipantExportRow,
  participantsCsv,
} from '../../src/exports/csv';

/** Every JSON type a stored column may turn out to hold. */
const ODD_VALUES: unknown[] = [
  42,
  -3.5,
  0,
  null,
  true,
  ['a', 1, null, { b: 2 }],
  [],
  { nested: { deep: [1, 2] } },
  {},
  '=HYPERLINK("x")',
  'plain, text; "quoted"\nline',
];

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}

/** Splits RFC 4180 text into rows of cells (quotes, doubled quotes and line breaks inside quotes). */
function parse(csv: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const text = csv.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('CSV exports: any stored value in any column', () => {
  it('writes a cell for numbers, nulls, booleans, arrays and objects (no "text.includes is not a function")', () => {
    for (const value of ODD_VALUES) assert.equal(typeof csvCell(value, ';'), 'string', JSON.stringify(value));
    assert.equal(csvCell(-3.5), '-3.5');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(['a', 1]), '"a; 1"');
    assert.equal(csvCell({ b: 1, a: 2 }), '"{""a"":2,""b"":1}"');
    assert.equal(csvCell('=1+1'), "'=1+1");
  });

  it('exports participant rows whose every field holds another type than the model says', async () => {
    const rows: ParticipantExportRow[] = ODD_VALUES.map((odd) => {
      const participant = Object.fromEntries(
        [
          'aadObjectId',
          'userPrincipalName',
          'displayName',
          'locale',
          'timeZone',
          'waveId',
          'journeys',
          'lastSeenAt',
          'firstSeenAt',
          'version',
          'conversation',
          'deferrals',
        ].map((k) => [k, odd]),
      ) as unknown as Participant;
      return {
        participant,
        waveName: odd as string,
        escalation: odd as ParticipantExportRow['escalation'],
        oldMdm: odd as ParticipantExportRow['oldMdm'],
      };
    });
    // Lists whose items are of the wrong kind too.
    rows.push({
      participant: {
        aadObjectId: 'x',
        journeys: [null, 5, 'x', { name: { a: 1 }, stage: ['enrolled'] }],
      } as unknown as Participant,
      oldMdm: [
        null,
        { name: 7, source: { s: 1 }, lastSeen: [1] },
      ] as unknown as ParticipantExportRow['oldMdm'],
    });
    for (const language of ['en', 'sv'] as const) {
      const delimiter = language === 'sv' ? ';' : ',';
      const table = parse(await collect(participantsCsv(rows, language)), delimiter);
      assert.equal(table.length, rows.length + 1);
      for (const r of table) assert.equal(r.length, PARTICIPANT_COLUMNS.length, JSON.stringify(r));
      const nested = table.find((r) => r.some((c) => c.includes('"deep"')));
      assert.ok(nested, 'an object is written as its JSON');
    }
  });

  it('exports delivery rows whose every field holds another type', async () => {
    const deliveries = ODD_VALUES.map(
      (odd) =>
        Object.fromEntries(
          ['userPrincipalName', 'displayName', 'state', 'reason', 'detail', 'attempts', 'updatedAt'].map(
            (k) => [k, odd],
          ),
        ) as unknown as Delivery,
    );
    const table = parse(await collect(deliveriesCsv(deliveries, 'en')), ',');
    assert.equal(table.length, deliveries.length + 1);
    for (const r of table) assert.equal(r.length, DELIVERY_COLUMNS.length);
    assert.ok(table.some((r) => r[5] === '42'));
  });
});
