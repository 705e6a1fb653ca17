import type { TurnContext } from 'botbuilder';
import { deviceListView, renderDeviceListCard } from '../../cards/device-list-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import type { DeviceObservation } from '../../domain/device';
import { addressOf } from '../../integrations/bot/teams-context';
import { turnLogger } from '../../logging';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';
import { type Audience, audienceOf, rememberSender } from '../user-context';
import { DEVICE_VERBS } from './ids';

type LookupResult =
  | { kind: 'devices'; devices: DeviceObservation[] }
  | { kind: 'unknown-user' }
  | { kind: 'failed'; reason: string };

/** Finds the user in the directory by their Entra object id and lists their devices. */
async function lookUp(deps: Deps, aadObjectId: string): Promise<LookupResult> {
  try {
    const user = await deps.directory.findUser(aadObjectId);
    if (!user) return { kind: 'unknown-user' };
    return { kind: 'devices', devices: await deps.directory.devicesOfUser(user) };
  } catch (err) {
    return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }
}

function cardFor(deps: Deps, a: Audience, result: LookupResult | 'pending'): CardJson {
  const base = {
    vendor: deps.config.sourceMdm,
    locale: a.locale,
    timeZone: a.timeZone,
    checkedAt: deps.clock.now(),
    verb: DEVICE_VERBS.check,
  };
  if (result === 'pending') {
    return renderDeviceListCard(
      deviceListView(a.t, {
        ...base,
        devices: [],
        complete: false,
        notice: { text: a.t('devices.stillChecking'), style: 'warning' },
      }),
    );
  }
  if (result.kind === 'devices')
    return renderDeviceListCard(deviceListView(a.t, { ...base, devices: result.devices, complete: true }));
  const text =
    result.kind === 'unknown-user'
      ? a.t('devices.unknownUser')
      : a.t('devices.unavailable', { reason: shortReason(result.reason) });
  return renderDeviceListCard(
    deviceListView(a.t, { ...base, devices: [], complete: false, notice: { text, style: 'attention' } }),
  );
}

/** Users see a short cause, not a stack of Graph internals. */
function shortReason(reason: string): string {
  if (/throttl|429/.test(reason)) return 'Microsoft Graph is busy';
  if (/unavailable|503|504/.test(reason)) return 'Microsoft Graph is unavailable';
  return 'directory error';
}

/**
 * "Check my devices": a live Graph look-up inside the invoke budget. When Graph is slower than the
 * budget, the card says it is still checking and is updated in place once the answer arrives.
 */
export const onCheckDevices =
  (deps: Deps) =>
  async (context: TurnContext): Promise<CardJson> => {
    const log = turnLogger(context, deps.logger);
    const { participant } = await rememberSender(context, deps);
    const audience = audienceOf(context, deps, participant);
    // Identity comes from the authenticated activity, never from card data.
    const aadObjectId = context.activity.from?.aadObjectId;
    if (!aadObjectId) {
      return renderDeviceListCard(
        deviceListView(audience.t, {
          vendor: deps.config.sourceMdm,
          locale: audience.locale,
          timeZone: audience.timeZone,
          checkedAt: deps.clock.now(),
          verb: DEVICE_VERBS.check,
          devices: [],
          complete: false,
          notice: { text: audience.t('error.noIdentity'), style: 'attention' },
        }),
      );
    }

    const lookup = lookUp(deps, aadObjectId);
    const first = await withinBudget(lookup, deps.invokeBudgetMs);
    if (first !== OVER_BUDGET) {
      if (first.kind === 'failed') log.warn({ reason: first.reason }, 'device look-up failed');
      return cardFor(deps, audience, first);
    }

    log.info(
      { budgetMs: deps.invokeBudgetMs },
      'device look-up exceeded the invoke budget; the card will be updated',
    );
    const address = addressOf(context.activity);
    const cardActivityId = context.activity.replyToId;
    void lookup.then(async (result) => {
      if (!address || !cardActivityId) return;
      try {
        await deps.messenger.update(address, cardActivityId, {
          card: cardFor(deps, audience, result),
          summary: audience.t('devices.title'),
        });
      } catch (err) {
        log.error({ err }, 'could not update the device card after a slow look-up');
      }
    });
    return cardFor(deps, audience, 'pending');
  };
