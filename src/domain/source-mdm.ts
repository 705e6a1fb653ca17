/** The MDM a campaign moves devices away from; it picks the guides users see. */
export type SourceMdm = 'workspace-one' | 'ivanti' | 'jamf' | 'blackberry' | 'citrix' | 'other';

export const SOURCE_MDMS: readonly SourceMdm[] = [
  'workspace-one',
  'ivanti',
  'jamf',
  'blackberry',
  'citrix',
  'other',
];
