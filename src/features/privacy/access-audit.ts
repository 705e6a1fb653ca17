/**
 * Who looked at whom: views that show named people (status look-ups, the stragglers list, a ticket,
 * exports) leave an audit record. A failed write is logged and the view still answers: a look-up
 * must not wait on, or fail because of, its record.
 */
import type { Deps } from '../../deps';
import { type AuditActor, recordAudit } from '../audit';

export async function auditView(
  deps: Pick<Deps, 'store' | 'logger' | 'clock'>,
  actor: AuditActor,
  what: string,
  target: string,
  after?: Record<string, unknown>,
): Promise<void> {
  await recordAudit(
    deps.store,
    {
      at: deps.clock.now(),
      actor: { aadObjectId: actor.aadObjectId },
      action: `view.${what}`,
      target,
      ...(after ? { after } : {}),
    },
    (err) => deps.logger.warn({ err, action: `view.${what}` }, 'a view could not be audited'),
  );
}
