/**
 * The payloads of the admin card actions. Card data is untrusted: each route declares its schema here,
 * the shape is checked before the use case runs, and every id is re-read from storage by the use case.
 * A schema's description names what the payload is about in the "cannot use" card.
 */
import { z } from 'zod';
import { ADMIN_INPUTS } from '../../verbs/admin';

const id = z.string().trim().min(1).max(200);

/** Actions whose data is not read (the admin home, the retirement report). */
export const NoData = z.unknown();

/** The wave editor's inputs, checked field by field by `parseWaveForm` (every problem named). */
export const WaveFormData = z.record(z.unknown()).describe('wave');
export type WaveFormData = z.infer<typeof WaveFormData>;

export const WaveData = z.object({ waveId: id }).describe('wave');
export type WaveData = z.infer<typeof WaveData>;

export const OptionalWaveData = z.object({ waveId: z.string().trim().max(200).optional() }).describe('wave');
export type OptionalWaveData = z.infer<typeof OptionalWaveData>;

export const UserData = z.object({ aadObjectId: id }).describe('user');
export type UserData = z.infer<typeof UserData>;

export const DraftData = z.object({ draftId: id }).describe('draft');
export type DraftData = z.infer<typeof DraftData>;

export const BroadcastData = z.object({ broadcastId: id }).describe('broadcast');
export type BroadcastData = z.infer<typeof BroadcastData>;

export const ConfirmBroadcastData = z
  .object({
    broadcastId: id,
    recipientCount: z.coerce.number().int().nonnegative(),
    [ADMIN_INPUTS.scheduleAt]: z.string().max(40).optional(),
    [ADMIN_INPUTS.scheduleTime]: z.string().max(40).optional(),
    [ADMIN_INPUTS.alsoChannel]: z.string().max(10).optional(),
  })
  .describe('broadcast');
export type ConfirmBroadcastData = z.infer<typeof ConfirmBroadcastData>;

export const OverrideGateData = z
  .object({
    waveId: id,
    returnTo: z.string().trim().max(200).optional(),
    [ADMIN_INPUTS.reason]: z.string().max(5_000).optional(),
  })
  .describe('wave');
export type OverrideGateData = z.infer<typeof OverrideGateData>;

export const ExportCsvData = z
  .object({
    kind: z.enum(['participants', 'deliveries', 'old-mdm-review']),
    waveId: z.string().max(200).optional(),
    broadcastId: z.string().max(200).optional(),
  })
  .describe('export');
export type ExportCsvData = z.infer<typeof ExportCsvData>;
