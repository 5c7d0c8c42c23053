// The names of the contract's calls and its IPC channels, with no zod and nothing else imported: the
// preload builds `window.registry` from these alone, so its bundle carries no schema library (zod
// probes `new Function` as it builds schemas, which the page's CSP refuses). shared/contract.ts
// defines one input schema per name here (`calls` satisfies a record of these names, so a name
// without a schema, or a schema without a name, does not compile) and re-exports all of this.

/** Every call of the contract, in the order `calls` lists them in shared/contract.ts. */
export const CALL_NAMES = [
  'getAppInfo',
  'listProfiles',
  'listLocalPlaces',
  'listLocalFolder',
  'listLocalFolderMore',
  'connect',
  'getSavedPassword',
  'forgetPassword',
  'changePassword',
  'storeChangedPassword',
  'markPasswordChanged',
  'forgotPassword',
  'disconnect',
  'listRemoteFolder',
  'listRemoteFolderMore',
  'answerRequest',
  'listTrusted',
  'removeTrusted',
  'openWebClient',
  'checkUpload',
  'upload',
  'cancelTransfer',
  'retryTransfer',
  'download',
  'deleteRemoteFile',
  'listHistory',
  'listSubmissions',
  'openReport',
  'listScores',
  'chooseFilesToUpload',
  'chooseDownloadFolder',
  'getAccountSignIn',
  'setAccountSignIn',
  'makeSignInKey',
  'chooseKeyFile',
  'useKeyFile',
  'savePublicKey',
  'diagnose',
  'saveDiagnosisReport',
  'getAutoSend',
  'chooseAutoSendFolder',
  'setAutoSendPaused',
  'stopAutoSend',
  'listMissedFailures',
  'dismissMissedFailures',
] as const;

export type CallName = (typeof CALL_NAMES)[number];

/** IPC channel names. */
export const callChannel = (name: CallName) => `registry:call:${name}`;
export const EVENT_CHANNEL = 'registry:event';
/**
 * The preload's own channel (not a call the page has): the path of a file dropped on the window, as
 * Electron's webUtils read it from a real File object, so the main process lets the window use it.
 */
export const DROPPED_FILE_CHANNEL = 'registry:dropped-file';
