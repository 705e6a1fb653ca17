/**
 * GET /exports/participants.csv, /exports/deliveries.csv and /exports/old-mdm-review.csv — CSV downloads behind signed,
 * expiring links (signed-link.ts). The link is the authorization: the bot issues it to an admin in
 * their 1:1 chat, and every download is audited under that admin.
 *
 * Rows are streamed from storage as they are read (one wave through its membership index, everyone
 * through the participant partitions, a broadcast through its delivery partitions), so the size of an
 * export does not depend on memory. Nothing from the URL is echoed into a response.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type restify from 'restify';
import { broadcastKey } from '../domain/broadcast';
import { campaignKey, type Wave } from '../domain/campaign';
import { escalationKey } from '../domain/escalation';
import type { Escalation } from '../domain/escalation-model';
import { PARTICIPANT_PARTITIONS, type Participant, participantKey } from '../domain/participant';
import { recordAudit } from '../features/audit';
import { listDeliveries } from '../features/broadcast/delivery-rows';
import { oldMdmDevicesOf } from '../features/old-mdm/match-views';
import { reviewCsv } from '../features/old-mdm/review-csv';
import { waveMembersOf, wavesById } from '../features/waves';
import { languageFromHeader } from '../guidance/guide-routes';
import { type Language, type MessageKey, translator } from '../i18n';
import type { Logger } from '../logging';
import type { Clock } from '../ports/clock';
import type { Store } from '../ports/store';
import { mapBounded } from '../shared/bounded';
import { deliveriesCsv, type ParticipantExportRow, participantsCsv } from './csv';
import { EXPORT_KINDS, type ExportKind, type ExportRequest, exportPath, verifyExport } from './signed-link';

export interface ExportRouteDeps {
  store: Pick<
    Store,
    | 'participants'
    | 'waveMembers'
    | 'waves'
    | 'escalations'
    | 'broadcasts'
    | 'deliveries'
    | 'audit'
    | 'oldMdmByPerson'
    | 'oldMdmDevices'
    | 'campaigns'
  >;
  clock: Clock;
  logger: Logger;
  /** EXPORT_SIGNING_KEY. */
  signingKey: string;
  /**
   * Asked at download time whether the admin the link was issued to may still export (e.g. still in
   * the admin group); absent, a valid link is enough.
   */
  mayExport?: (aadObjectId: string) => Promise<boolean>;
  /** Everything stored about one person, as one JSON document (src/features/privacy); absent: refused. */
  personDocument?: (personId: string) => Promise<unknown>;
}

/** Point reads in flight while a wave's members are read. */
const READS_IN_FLIGHT = 16;

type ExportMessage =
  | 'malformed'
  | 'bad-signature'
  | 'expired'
  | 'not-allowed'
  | 'wave-not-found'
  | 'broadcast-not-found'
  | 'failed';

export function registerExportRoutes(server: restify.Server, deps: ExportRouteDeps): void {
  for (const kind of EXPORT_KINDS) {
    server.get(exportPath(kind), async (req: restify.Request, res: restify.Response) => {
      await serveExport(kind, req, res, deps);
    });
  }
}

async function serveExport(
  kind: ExportKind,
  req: restify.Request,
  res: restify.Response,
  deps: ExportRouteDeps,
): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://exports.invalid').searchParams;
  const fallbackLanguage = (): Language => {
    const lang = query.get('lang');
    return lang === 'en' || lang === 'sv'
      ? lang
      : languageFromHeader(req.header('accept-language') || undefined);
  };
  const now = deps.clock.now();
  const verified = verifyExport(kind, query, deps.signingKey, now);
  if (!verified.ok) {
    deps.logger.info({ kind, error: verified.error }, 'refused an export link');
    const status = verified.error === 'malformed' ? 400 : 403;
    sendText(res, status, fallbackLanguage(), verified.error, {
      time: verified.expiredAt ? verified.expiredAt.toISOString().slice(0, 16).replace('T', ' ') : '',
    });
    return;
  }
  const request = verified.request;
  const language = request.language ?? fallbackLanguage();
  try {
    if (deps.mayExport && !(await deps.mayExport(request.actorAadObjectId))) {
      deps.logger.info({ kind, actor: request.actorAadObjectId }, 'refused an export: no longer allowed');
      sendText(res, 403, language, 'not-allowed');
      return;
    }
    if (request.kind === 'person') {
      if (!deps.personDocument) return sendText(res, 404, language, 'failed');
      const body = JSON.stringify(await deps.personDocument(request.personId!), null, 2);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
      await recordAudit(deps.store, {
        at: now,
        actor: { aadObjectId: request.actorAadObjectId },
        action: 'export.download',
        target: `person:${request.personId}`,
        after: { kind: 'person' },
      });
      return;
    }
    const source = await exportSource(deps, request, language);
    if ('missing' in source) {
      sendText(res, 404, language, source.missing);
      return;
    }
    await stream(res, deps, request, now, source.lines, () => source.rows);
  } catch (err) {
    deps.logger.error({ err, kind }, 'export failed');
    if (!res.headersSent) sendText(res, 503, language, 'failed');
  }
}

interface Source {
  lines: AsyncGenerator<string>;
  /** Rows written so far (read after streaming). */
  readonly rows: number;
}

async function exportSource(
  deps: ExportRouteDeps,
  request: ExportRequest,
  language: Language,
): Promise<Source | { missing: ExportMessage }> {
  let rows = 0;
  const counted = () => {
    rows++;
  };
  if (request.kind === 'old-mdm-review') {
    // An export file's devices are named after the campaign's old MDM, as on the review card.
    const vendor = (await deps.store.campaigns.get(campaignKey()))?.value.sourceMdm ?? 'other';
    return {
      lines: reviewCsv(deps.store, vendor, language, counted),
      get rows() {
        return rows;
      },
    };
  }
  if (request.kind === 'deliveries') {
    const broadcastId = request.broadcastId!;
    const broadcast = (await deps.store.broadcasts.get(broadcastKey(broadcastId)))?.value;
    if (!broadcast) return { missing: 'broadcast-not-found' };
    const deliveries = async function* () {
      for await (const { value } of listDeliveries(deps.store, broadcast)) {
        yield value;
      }
    };
    return {
      lines: deliveriesCsv(deliveries(), language, counted),
      get rows() {
        return rows;
      },
    };
  }
  const waves = await wavesById(deps.store);
  if (request.waveId && !waves.has(request.waveId)) return { missing: 'wave-not-found' };
  const participants = request.waveId
    ? waveParticipants(deps, request.waveId, waves)
    : allParticipants(deps, waves);
  return {
    lines: participantsCsv(participants, language, counted),
    get rows() {
      return rows;
    },
  };
}

/** One wave's members, through its index partition; the participant row decides who is a member. */
async function* waveParticipants(
  deps: ExportRouteDeps,
  waveId: string,
  waves: ReadonlyMap<string, Wave>,
): AsyncGenerator<ParticipantExportRow> {
  let batch: string[] = [];
  const read = async (ids: string[]) => {
    const rows = await mapBounded(
      ids,
      READS_IN_FLIGHT,
      async (id): Promise<ParticipantExportRow | undefined> => {
        const [p, e, oldMdm] = await Promise.all([
          deps.store.participants.get(participantKey(id)),
          deps.store.escalations.get(escalationKey(id)),
          oldMdmDevicesOf(deps.store, id),
        ]);
        // An index row left behind by a move or a lost race is not a member.
        if (p?.value.waveId !== waveId) return undefined;
        return { participant: p.value, waveName: waves.get(waveId)?.name, escalation: e?.value, oldMdm };
      },
    );
    return rows.filter((r): r is ParticipantExportRow => r !== undefined);
  };
  for await (const value of waveMembersOf(deps.store, waveId)) {
    batch.push(value.aadObjectId.toLowerCase());
    if (batch.length >= 64) {
      yield* await read(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield* await read(batch);
}

/** Everyone the bot knows, partition by partition, with each partition's tickets read alongside. */
async function* allParticipants(
  deps: ExportRouteDeps,
  waves: ReadonlyMap<string, Wave>,
): AsyncGenerator<ParticipantExportRow> {
  for (const partition of PARTICIPANT_PARTITIONS) {
    const tickets = new Map<string, Escalation>();
    // escalationKey shares participantKey's partitions, so one query per partition finds the tickets.
    for await (const row of deps.store.escalations.listPartition(partition))
      tickets.set(row.key.rowKey, row.value);
    const people: Participant[] = [];
    for await (const { value } of deps.store.participants.listPartition(partition))
      if (!value.erasedAt) people.push(value);
    // The old MDM's devices are kept per person: one partition read each, a few at a time.
    const rows = await mapBounded(people, READS_IN_FLIGHT, async (p) => ({
      participant: p,
      waveName: p.waveId ? waves.get(p.waveId)?.name : undefined,
      escalation: tickets.get(p.aadObjectId.toLowerCase()),
      oldMdm: await oldMdmDevicesOf(deps.store, p.aadObjectId),
    }));
    yield* rows;
  }
}

/**
 * Sends the file. The first chunk is produced before the status line, so a storage failure at the
 * start still gets a proper error; a failure later cuts the download off (never a file that looks
 * complete but is not). Either way the download is audited, with the rows sent.
 */
async function stream(
  res: restify.Response,
  deps: ExportRouteDeps,
  request: ExportRequest,
  now: Date,
  lines: AsyncGenerator<string>,
  rows: () => number,
): Promise<void> {
  const first = await lines.next();
  res.writeHead(200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${fileName(request, now)}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // The link carries its signature: never pass it on to another site.
    'Referrer-Policy': 'no-referrer',
  });
  const body = async function* () {
    if (!first.done) yield first.value;
    yield* lines;
  };
  let completed = false;
  try {
    await pipeline(Readable.from(body()), res);
    completed = true;
  } catch (err) {
    deps.logger.warn({ err, kind: request.kind, rows: rows() }, 'export download did not complete');
  } finally {
    await auditDownload(deps, request, rows(), completed);
  }
}

async function auditDownload(
  deps: ExportRouteDeps,
  request: ExportRequest,
  rows: number,
  completed: boolean,
): Promise<void> {
  await recordAudit(
    deps.store,
    {
      at: deps.clock.now(),
      actor: { aadObjectId: request.actorAadObjectId },
      action: 'export.download',
      target:
        request.kind === 'deliveries'
          ? `broadcast:${request.broadcastId}`
          : request.kind === 'old-mdm-review'
            ? 'old-mdm-review'
            : `wave:${request.waveId ?? '*'}`,
      after: {
        kind: request.kind,
        ...(request.waveId ? { waveId: request.waveId } : {}),
        ...(request.broadcastId ? { broadcastId: request.broadcastId } : {}),
        rows,
        completed,
        linkExpiresAt: request.expiresAt.toISOString(),
      },
    },
    (err) => deps.logger.error({ err, kind: request.kind }, 'could not audit an export download'),
  );
}

/** `participants-pilot-20261123-0915.csv`: the subject and the time (UTC), in characters any OS accepts. */
export function fileName(request: ExportRequest, now: Date): string {
  const subject =
    request.kind === 'deliveries'
      ? `deliveries-${request.broadcastId}`
      : request.kind === 'old-mdm-review'
        ? 'devices-to-review'
        : `participants-${request.waveId ?? 'all'}`;
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `${subject.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100)}-${stamp}.csv`;
}

function sendText(
  res: restify.Response,
  status: number,
  language: Language,
  message: ExportMessage,
  vars: Record<string, string> = {},
): void {
  const t = translator(language);
  const text = t(`import.export.${message}` as MessageKey, vars);
  res.sendRaw(status, `${t('import.export.title')}\n\n${text}\n`, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Language': language,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
}
