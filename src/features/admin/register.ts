import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { Deps } from '../../deps';
import { wordsPattern } from '../../i18n';
import { isPersonalChat } from '../../integrations/bot/teams-context';
import { ADMIN_INPUTS, ADMIN_VERB_LIST, ADMIN_VERBS, type AdminVerb } from '../../verbs/admin';
import { OLD_MDM_IMPORT_VERB_LIST } from '../../verbs/old-mdm-import';
import { devicesToReviewCard, ReviewData } from '../old-mdm/review-service';
import { auditView } from '../privacy/access-audit';
import { type AdminRoute, adminAction, adminMessage } from './admin-action';
import * as P from './admin-payloads';
import {
  announcePreview,
  broadcastProgressCard,
  cancelBroadcastAction,
  confirmBroadcastAction,
  remindStragglersPreview,
} from './announce-service';
import { campaignHome, waveHome } from './dashboards';
import { exportLinks } from './export-links';
import { overrideGate } from './gate-service';
import { OLD_MDM_IMPORT_ROUTES } from './inventory-import-confirm';
import { adminFileFromMessage, isAdminFileAttachment } from './inventory-import-file';
import { nudgeUser } from './nudge-user';
import { retireReport } from './retire-report';
import { stragglersPanel } from './stragglers-panel';
import { ticketPanel } from './ticket-panel';
import { editWaveCard, previewWave, saveWave } from './wave-service';

/** "admin", "dashboard" … on its own in the 1:1 chat (any language's words.json `admin`) opens the admin home. */
export const ADMIN_WORDS = wordsPattern('admin', { at: 'whole' });

/**
 * Every button on the admin cards: who may press it and what its data must be are checked by
 * `adminAction` before the use case runs. Keyed by verb, so a verb without a route does not compile.
 */
const ROUTES: Record<AdminVerb, (deps: Deps) => AdminRoute> = {
  [ADMIN_VERBS.home]: adminAction(P.NoData, (turn) => campaignHome(turn)),
  [ADMIN_VERBS.refresh]: adminAction(P.OptionalWaveData, (turn, d) =>
    d.waveId ? waveHome(turn, d.waveId) : campaignHome(turn),
  ),
  [ADMIN_VERBS.openWave]: adminAction(P.WaveData, (turn, d) => waveHome(turn, d.waveId)),
  [ADMIN_VERBS.editWave]: adminAction(P.OptionalWaveData, (turn, d) =>
    editWaveCard(turn, d.waveId || undefined),
  ),
  [ADMIN_VERBS.previewWave]: adminAction(P.WaveFormData, previewWave),
  [ADMIN_VERBS.saveWave]: adminAction(P.DraftData, (turn, d) => saveWave(turn, d.draftId)),
  [ADMIN_VERBS.announce]: adminAction(P.WaveData, (turn, d) => announcePreview(turn, d.waveId)),
  [ADMIN_VERBS.confirmBroadcast]: adminAction(P.ConfirmBroadcastData, (turn, d) =>
    confirmBroadcastAction(turn, {
      broadcastId: d.broadcastId,
      recipientCount: d.recipientCount,
      scheduleDate: d[ADMIN_INPUTS.scheduleAt],
      scheduleTime: d[ADMIN_INPUTS.scheduleTime],
      alsoChannel: d[ADMIN_INPUTS.alsoChannel] === 'true',
    }),
  ),
  [ADMIN_VERBS.cancelBroadcast]: adminAction(P.BroadcastData, (turn, d) =>
    cancelBroadcastAction(turn, d.broadcastId),
  ),
  [ADMIN_VERBS.broadcastProgress]: adminAction(P.BroadcastData, (turn, d) =>
    broadcastProgressCard(turn, d.broadcastId),
  ),
  [ADMIN_VERBS.overrideGate]: adminAction(P.OverrideGateData, (turn, d) =>
    overrideGate(turn, d.waveId, d[ADMIN_INPUTS.reason] ?? '', d.returnTo || undefined),
  ),
  [ADMIN_VERBS.stragglers]: adminAction(P.OptionalWaveData, async (turn, d) => {
    await auditView(turn.deps, turn.actor, 'stragglers', d.waveId || '*');
    return stragglersPanel(turn, d.waveId || undefined);
  }),
  [ADMIN_VERBS.remindStragglers]: adminAction(P.WaveData, (turn, d) =>
    remindStragglersPreview(turn, d.waveId),
  ),
  [ADMIN_VERBS.nudge]: adminAction(P.UserData, (turn, d) => nudgeUser(turn, d.aadObjectId)),
  [ADMIN_VERBS.openTicket]: adminAction(P.UserData, async (turn, d) => {
    await auditView(turn.deps, turn.actor, 'ticket', d.aadObjectId);
    return ticketPanel(turn, d.aadObjectId);
  }),
  [ADMIN_VERBS.retireReport]: adminAction(P.NoData, (turn) => retireReport(turn)),
  [ADMIN_VERBS.exportCsv]: adminAction(P.ExportCsvData, exportLinks),
  [ADMIN_VERBS.oldMdmReview]: adminAction(ReviewData, devicesToReviewCard),
};

export function register(app: Application<TurnState>, deps: Deps): void {
  for (const verb of ADMIN_VERB_LIST) app.adaptiveCards.actionExecute(verb, ROUTES[verb](deps));
  for (const verb of OLD_MDM_IMPORT_VERB_LIST)
    app.adaptiveCards.actionExecute(verb, OLD_MDM_IMPORT_ROUTES[verb](deps));
  // Only reached from the 1:1 chat: outside it the personal-only routes answer first.
  app.message(ADMIN_WORDS, adminMessage('admin.home', campaignHome)(deps));
  app.message(
    async (context: TurnContext) =>
      context.activity.type === 'message' &&
      isPersonalChat(context.activity) &&
      (context.activity.attachments ?? []).some(isAdminFileAttachment),
    adminMessage('admin.file', adminFileFromMessage)(deps),
  );
}
