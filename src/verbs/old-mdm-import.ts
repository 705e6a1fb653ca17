/**
 * Action.Execute verbs of the old-MDM file cards (device export, layout mapping, user-name mapping);
 * shared by the card view models and the routes. Every one carries data { draftId }.
 */
export const OLD_MDM_IMPORT_VERBS = {
  /** Store what the preview showed: data { draftId }. */
  confirm: 'oldMdmImport.confirm',
  /** Drop the preview; nothing is stored: data { draftId }. */
  cancel: 'oldMdmImport.cancel',
  /** A page of the file's bad rows: data { draftId, page }. */
  badRows: 'oldMdmImport.badRows',
} as const;

export type OldMdmImportVerb = (typeof OLD_MDM_IMPORT_VERBS)[keyof typeof OLD_MDM_IMPORT_VERBS];

export const OLD_MDM_IMPORT_VERB_LIST: readonly OldMdmImportVerb[] = Object.values(OLD_MDM_IMPORT_VERBS);
