import type { TurnContext } from 'botbuilder';
import { deviceListView, renderDeviceListCard } from '../../cards/device-list-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import type { DeviceObservation } from '../../domain/device';
import { DEVICE_VERBS } from '../../verbs/devices';
import { answerWithinBudget } from '../answer-in-time';
import { oldMdmViewOf } from '../old-mdm/match-views';
import { type Audience, audienceOf, rememberSender } from '../user-context';

type LookupResult =
  | { kind: 'devices'; devices: DeviceObservation[]; oldMdm: OldMdmView }
  | { kind: 'unknown-user' }
  | { kind: 'failed'; reason: string };

type OldMdmView = Awaited<ReturnType<typeof oldMdmViewOf>>;

/**
 * Finds the user in the directory by their Entra object id and lists their devices as Graph sees
 * them, next to what the old MDM's own inventory lists for them (read at the same time).
 */
async function lookUp(deps: Deps, aadObjectId: string): Promise<LookupResult> {
  const oldMdm = oldMdmViewOf(deps, aadObjectId);
  const user = await deps.directory.findUser(aadObjectId);
  if (!user) return { kind: 'unknown-user' };
  const [devices, inventory] = await Promise.all([deps.directory.devicesOfUser(user), oldMdm]);
  return { kind: 'devices', devices, oldMdm: inventory };
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
    return renderDeviceListCard(
      deviceListView(a.t, { ...base, devices: result.devices, oldMdm: result.oldMdm, complete: true }),
    );
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

    const pending = cardFor(deps, audience, 'pending');
    const work = lookUp(deps, aadObjectId).then((result) => cardFor(deps, audience, result));
    return answerWithinBudget(context, deps, work, {
      what: 'device look-up',
      pending,
      failed: (err) =>
        cardFor(deps, audience, { kind: 'failed', reason: err instanceof Error ? err.message : String(err) }),
      summary: audience.t('devices.title'),
    });
  };
