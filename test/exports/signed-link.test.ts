import assert from 'node:assert/strict';
import {
  EXPORT_LINK_LIFETIME_MS,
  exportExpiry,
  signExport,
  verifyExport,
} from '../../src/exports/signed-link';

const KEY = 'a-signing-key-of-sufficient-length-0123456789';
const NOW = new Date('2026-11-23T09:00:00Z');
const ADMIN = '00000000-0000-0000-0000-0000000000099';

function sign(overrides: Partial<Parameters<typeof signExport>[0]> = {}) {
  const path = signExport(
    {
      kind: 'participants',
      waveId: 'pilot',
      actorAadObjectId: ADMIN,
      expiresAt: exportExpiry(NOW),
      ...overrides,
    },
    KEY,
  );
  const url = new URL(path, 'https://bot.example.com');
  return { path, url, params: url.searchParams };
}

describe('export links: signing and checking', () => {
  it('a fresh link verifies and gives back what was signed', () => {
    const { path, params } = sign({ language: 'sv' });
    assert.match(
      path,
      /^\/exports\/participants\.csv\?wave=pilot&actor=[^&]+&lang=sv&exp=\d+&sig=[\w-]{43}$/,
    );
    const r = verifyExport('participants', params, KEY, NOW);
    assert.ok(r.ok);
    assert.equal(r.request.waveId, 'pilot');
    assert.equal(r.request.actorAadObjectId, ADMIN);
    assert.equal(r.request.language, 'sv');
    assert.equal(r.request.expiresAt.getTime(), NOW.getTime() + EXPORT_LINK_LIFETIME_MS);
  });

  it('works for 15 minutes by default, then is expired (and says when)', () => {
    const { params } = sign();
    assert.ok(verifyExport('participants', params, KEY, new Date(NOW.getTime() + 14 * 60_000)).ok);
    const late = verifyExport('participants', params, KEY, new Date(NOW.getTime() + 15 * 60_000));
    assert.equal(late.ok, false);
    assert.equal(!late.ok && late.error, 'expired');
    assert.equal(!late.ok && late.expiredAt?.toISOString(), '2026-11-23T09:15:00.000Z');
  });

  it('refuses a link whose wave, actor, expiry, language or signature was changed', () => {
    const tamper = (name: string, value: string) => {
      const { params } = sign();
      params.set(name, value);
      return verifyExport('participants', params, KEY, NOW);
    };
    for (const [name, value] of [
      ['wave', 'wave-2'],
      ['actor', '00000000-0000-0000-0000-0000000000001'],
      ['exp', String(Math.floor(NOW.getTime() / 1000) + 3_600)],
      ['lang', 'en'],
    ]) {
      assert.deepEqual(tamper(name!, value!), { ok: false, error: 'bad-signature' }, name);
    }
    const { params } = sign();
    const sig = params.get('sig')!;
    params.set('sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`);
    assert.deepEqual(verifyExport('participants', params, KEY, NOW), { ok: false, error: 'bad-signature' });
  });

  it('a link for one wave does not open everyone, nor the other export', () => {
    const { params } = sign();
    params.delete('wave');
    assert.deepEqual(verifyExport('participants', params, KEY, NOW), { ok: false, error: 'bad-signature' });
    const { params: again } = sign();
    assert.deepEqual(verifyExport('deliveries', again, KEY, NOW), { ok: false, error: 'malformed' });
  });

  it('an altered link is "bad signature" even when it is also expired', () => {
    const { params } = sign();
    params.set('wave', 'wave-2');
    const r = verifyExport('participants', params, KEY, new Date(NOW.getTime() + 3_600_000));
    assert.deepEqual(r, { ok: false, error: 'bad-signature' });
  });

  it('another key does not verify', () => {
    const { params } = sign();
    assert.deepEqual(verifyExport('participants', params, `${KEY}x`, NOW), {
      ok: false,
      error: 'bad-signature',
    });
  });

  it('malformed: missing or repeated parameters, bad ids or numbers', () => {
    const cases: ((p: URLSearchParams) => void)[] = [
      (p) => p.delete('sig'),
      (p) => p.delete('exp'),
      (p) => p.delete('actor'),
      (p) => p.append('wave', 'wave-2'),
      (p) => p.set('exp', 'soon'),
      (p) => p.set('sig', 'short'),
      (p) => p.set('lang', 'de'),
      (p) => p.set('wave', "x' or 1 eq 1"),
      (p) => p.set('wave', ''),
    ];
    for (const change of cases) {
      const { params } = sign();
      change(params);
      assert.deepEqual(
        verifyExport('participants', params, KEY, NOW),
        { ok: false, error: 'malformed' },
        String(change),
      );
    }
  });

  it('also reads a plain query object (as a router gives it)', () => {
    const { params } = sign();
    assert.ok(verifyExport('participants', Object.fromEntries(params), KEY, NOW).ok);
  });

  it('refuses to sign what no route would accept', () => {
    assert.throws(() => sign({ kind: 'deliveries', waveId: undefined }), /needs a broadcast/);
    assert.throws(() => sign({ broadcastId: 'b1' }), /takes no broadcast/);
    assert.throws(() => sign({ actorAadObjectId: '' }), /actor/);
    assert.throws(
      () => signExport({ kind: 'participants', actorAadObjectId: ADMIN, expiresAt: NOW }, ''),
      /key/,
    );
  });

  it('a deliveries link names its broadcast', () => {
    const { path, params } = sign({ kind: 'deliveries', waveId: undefined, broadcastId: 'b-123' });
    assert.match(path, /^\/exports\/deliveries\.csv\?broadcast=b-123&/);
    const r = verifyExport('deliveries', params, KEY, NOW);
    assert.ok(r.ok && r.request.broadcastId === 'b-123');
  });
});
