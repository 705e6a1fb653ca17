import assert from 'node:assert/strict';
import type { Delivery } from '../../src/domain/broadcast';
import type { DeviceJourney } from '../../src/domain/journey';
import { parseCsvImport } from '../../src/domain/member-import-csv';
import type { Participant } from '../../src/domain/participant';
import {
  csvCell,
  csvLines,
  csvRow,
  deliveriesCsv,
  participantRow,
  participantsCsv,
} from '../../src/exports/csv';

const AT = '2026-11-20T10:00:00.000Z';

async function collect(gen: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of gen) out.push(chunk);
  return out;
}

describe('CSV: cells', () => {
  it('quotes per RFC 4180: delimiters, quotes, line breaks, edge spaces', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('Wilber, Alex'), '"Wilber, Alex"');
    assert.equal(csvCell('a;b'), '"a;b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell(' padded'), '" padded"');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(3), '3');
    assert.equal(csvCell(Number.NaN), '');
    assert.equal(csvCell(true), 'true');
  });

  it('neutralises spreadsheet formulas in text cells', () => {
    assert.equal(csvCell('=HYPERLINK("http://evil","x")'), `"'=HYPERLINK(""http://evil"",""x"")"`);
    assert.equal(csvCell('+1+2'), "'+1+2");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\t=1'), "'\t=1");
    assert.equal(csvCell('\r=1'), `"'\r=1"`);
    assert.equal(csvCell('a=b'), 'a=b');
    assert.equal(csvCell(-5), '-5', 'numbers are numbers');
  });

  it('rows end with CRLF and use the delimiter given', () => {
    assert.equal(csvRow(['a', 'b,c', 1]), 'a,"b,c",1\r\n');
    assert.equal(csvRow(['a', 'b,c', 1], ';'), 'a;"b,c";1\r\n');
  });
});

describe('CSV: stored values of any type', () => {
  it('writes numbers, nulls, arrays, objects and dates as text, never failing the export', async () => {
    assert.equal(csvCell(['a', 2, null, true]), '"a; 2; ; true"');
    assert.equal(csvCell({ b: 1, a: 'x' }), '"{""a"":""x"",""b"":1}"');
    assert.equal(csvCell(new Date('2026-11-20T10:00:00Z')), '2026-11-20T10:00:00.000Z');
    assert.equal(csvCell(12n), '12');
    assert.equal(csvCell(['=1+1']), "'=1+1", 'formulas are neutralised in joined arrays too');
    const rows = [
      [1, null, ['x', 'y'], { k: 'v' }],
      [-2.5, undefined, [], {}],
    ];
    const text = (await collect(csvLines(['n', 'empty', 'list', 'object'], rows, (r) => r))).join('');
    assert.equal(text, '\uFEFFn,empty,list,object\r\n' + '1,,"x; y","{""k"":""v""}"\r\n' + '-2.5,,,{}\r\n');
  });

  it('a participant whose stored fields have other types than the model still gets a row', () => {
    const odd = {
      aadObjectId: 'a2',
      userPrincipalName: 42,
      displayName: null,
      locale: ['sv-SE'],
      waveId: { id: 'pilot' },
      firstSeenAt: AT,
      lastSeenAt: AT,
      version: 1,
    } as unknown as Participant;
    const row = participantRow({ participant: odd }, 'en');
    assert.equal(csvRow(row), '42,,"{""id"":""pilot""}",sv-SE,0,,no,,,2026-11-20T10:00:00.000Z,0,\r\n');
  });
});

describe('CSV: streaming', () => {
  it('yields a BOM and the header first, then rows in chunks, never everything in one string', async () => {
    async function* many() {
      for (let i = 0; i < 10_000; i++) yield i;
    }
    let counted = 0;
    const chunks = await collect(
      csvLines(['n', 'name'], many(), (i) => [i, `user ${i}`], {
        chunkChars: 4_096,
        onRow: () => {
          counted++;
        },
      }),
    );
    assert.ok(chunks.length > 10, `${chunks.length} chunks`);
    assert.ok(chunks.every((c) => c.length < 4_096 + 100));
    const text = chunks.join('');
    assert.ok(text.startsWith('\uFEFFn,name\r\n0,user 0\r\n'));
    assert.equal(text.split('\r\n').length - 2, 10_000);
    assert.equal(counted, 10_000);
  });
});

function journey(
  key: string,
  name: string,
  stage: DeviceJourney['stage'],
  extra: Partial<DeviceJourney> = {},
): DeviceJourney {
  return {
    deviceKey: key,
    name,
    platform: 'ios',
    stage,
    stageSince: AT,
    history: [],
    flags: { dualEnrollment: false },
    ...extra,
  };
}

describe('CSV: the participants export', () => {
  const alex: Participant = {
    aadObjectId: 'a1',
    userPrincipalName: 'alexw@contoso.com',
    displayName: '=cmd|"/c calc"!A1',
    locale: 'sv-SE',
    waveId: 'pilot',
    firstSeenAt: AT,
    lastSeenAt: AT,
    version: 3,
    observedAt: AT,
    journeys: [
      journey('i1', "Alex's iPhone", 'verified', { lastSeen: { management: { kind: 'intune' }, at: AT } }),
      journey('l1', 'ALEX-LAPTOP', 'excluded', {
        exclusion: { reason: '+ leaving, returns laptop', by: 'admin', at: AT, from: 'notified' },
      }),
    ],
  };

  it('writes one row per participant with devices, stages, migrated, exclusions and the open ticket', () => {
    const row = participantRow(
      {
        participant: alex,
        waveName: 'Pilot',
        escalation: { ticketNumber: 2, state: 'assigned' } as Parameters<
          typeof participantRow
        >[0]['escalation'],
      },
      'en',
    );
    assert.deepEqual(row, [
      'alexw@contoso.com',
      '=cmd|"/c calc"!A1',
      'Pilot',
      'sv-SE',
      2,
      "Alex's iPhone: verified; ALEX-LAPTOP: excluded",
      'yes',
      '+ leaving, returns laptop',
      '#2 assigned',
      AT,
      0,
      '',
    ]);
  });

  it('adds what the old MDM itself lists for the person: how many it still lists, and each device', () => {
    const row = participantRow(
      {
        participant: alex,
        oldMdm: [
          {
            source: 'workspace-one',
            vendorId: '7',
            name: "Alex's iPad",
            platform: 'ipados',
            ownership: 'personal',
            enrollment: 'enrolled',
            lastSeen: AT,
          },
          {
            source: 'workspace-one',
            vendorId: '8',
            name: "Alex's iPhone",
            platform: 'ios',
            ownership: 'personal',
            enrollment: 'unenrolled',
            goneAt: AT,
          },
        ],
      },
      'en',
    );
    assert.deepEqual(row.slice(-2), [
      1,
      `Alex's iPad (workspace-one): listed, last seen ${AT}; Alex's iPhone (workspace-one): no longer listed`,
    ]);
  });

  it('Swedish headings with ; as delimiter, formulas neutralised, and the file re-imports by its upn column', async () => {
    const text = (await collect(participantsCsv([{ participant: alex, waveName: 'Pilot' }], 'sv'))).join('');
    const [header, line] = text.replace('\uFEFF', '').split('\r\n');
    assert.equal(
      header,
      'upn;namn;våg;språk;enheter;enheternas steg;migrerad;undantagen (skäl);öppet ärende;senast sedd;kvar i den gamla MDM-lösningen;enheter i den gamla MDM-lösningen',
    );
    assert.ok(line!.includes(`"'=cmd|""/c calc""!A1"`), line);
    assert.ok(line!.includes(`"'+ leaving, returns laptop"`), line);
    assert.ok(line!.includes(';ja;'), line);
    assert.deepEqual(parseCsvImport(text).entries, [{ line: 2, upn: 'alexw@contoso.com' }]);
  });

  it('a resolved ticket is not an open ticket', () => {
    const row = participantRow(
      {
        participant: alex,
        escalation: { ticketNumber: 1, state: 'resolved' } as Parameters<
          typeof participantRow
        >[0]['escalation'],
      },
      'en',
    );
    assert.equal(row[8], '');
    assert.equal(row[2], 'pilot', 'the wave id when the name is unknown');
  });
});

describe('CSV: the deliveries export', () => {
  it('writes upn, name, state, reason, detail, attempts, updated', async () => {
    const d: Delivery = {
      broadcastId: 'b1',
      aadObjectId: 'a1',
      userPrincipalName: 'alexw@contoso.com',
      displayName: 'Alex Wilber',
      state: 'failed',
      attempts: 6,
      reason: 'retries-exhausted',
      detail: '429, "throttled"',
      queuedAt: AT,
      updatedAt: AT,
    };
    const text = (await collect(deliveriesCsv([d], 'en'))).join('');
    assert.equal(
      text,
      '\uFEFFupn,name,state,reason,detail,attempts,updated\r\n' +
        `alexw@contoso.com,Alex Wilber,failed,retries-exhausted,"429, ""throttled""",6,${AT}\r\n`,
    );
  });
});
