// The registries the app knows out of the box. Every fact here comes from the registry's own
// specification (../shared/seeds) or from REGISTRIES.md; where a fact is inferred, it says so.
import type { ProfileInput } from './schema';

/** Texas Immunization Registry, ImmTrac2: "Secure File Transfer Protocol Specifications". */
export const texasImmTrac2: ProfileInput = {
  id: 'texas-immtrac2',
  name: 'Texas ImmTrac2',
  endpoints: [
    // "should not connect to SFTP using an IP Address": host names only.
    { protocol: 'sftp', host: 'immtrac-ftp1.dshs.state.tx.us', port: 22 },
    {
      protocol: 'ftps',
      host: 'immtrac-ftp1.dshs.state.tx.us',
      port: 990,
      tls: 'implicit',
      passivePorts: { from: 5000, to: 5010 },
    },
  ],
  username: {
    label: 'Import code',
    hint: 'Your six-character import code. It is also your FTP username.',
    isImportCode: true,
  },
  folders: [
    {
      role: 'dropoff',
      name: 'HL7-Dropoff',
      path: 'HL7-Dropoff',
      rights: ['list', 'read', 'write', 'rename', 'delete'],
      description: 'Inbound HL7 files, for processing.',
    },
    {
      role: 'accepted',
      name: 'Accepted',
      path: 'Accepted',
      rights: ['list', 'read'],
      description: 'The original HL7 files you submitted.',
    },
    {
      role: 'reports',
      name: 'DQA-Report',
      path: 'DQA-Report',
      rights: ['list', 'read'],
      description: 'A data quality assurance (DQA) report for each HL7 file processed.',
    },
    {
      role: 'receive',
      name: 'Receive',
      path: 'Receive',
      rights: ['list', 'read'],
      description: 'Consent notification files (CNF), after your HL7 files are imported.',
    },
  ],
  quotaFiles: 300,
  retentionDays: 180,
  // Neither specification says how soon a file is processed (unconfirmed): a day, so a file sent on a
  // weekly rhythm that has nothing back by the next day gets a hint, and one sent this morning none.
  answerWithinMinutes: 24 * 60,
  // "Connection Retries 0, Retry Delay 30 s, Network Time out 65 s, Keep Alive 0, disconnect once
  // the transfers have completed."
  network: { timeoutSeconds: 65, retries: 0, retryDelaySeconds: 30, keepAlive: false, disconnectAfterTransfers: true },
  tlsMinVersion: 'TLSv1.2',
  files: { extension: '.HL7', importCodeInName: true },
  // "Change your password during initial login." The web client is where it can always be done.
  // WS_FTP Server (REGISTRIES.md, unconfirmed for this host): SFTP asks at sign-in (RFC 4252), FTPS
  // refuses the login with 560 and takes `PASS old new`. "The registry does not store FTP passwords
  // for retrieval and can only reset passwords."
  passwordChange: {
    requiredAtFirstLogin: true,
    webPageUrl: 'https://immtrac-ftp1.dshs.state.tx.us/ThinClient',
    methods: { sftp: 'server-prompt', ftps: 'pass-old-new' },
    resetBy:
      "A reset must be asked for by your health care entity's point of contact in ImmTrac2, who contacts the Texas Immunization Registry Interoperability Team.",
  },
  webClientUrl: 'https://immtrac-ftp1.dshs.state.tx.us/ThinClient',
  // The specification: "Public keys can be e-mailed via encrypted e-mail to the registry's
  // Interoperability Team after an organization has completed their registration of intent."
  publicKeyInstructions:
    "Send the public key by encrypted e-mail to the Texas Immunization Registry Interoperability Team (ImmTracMU@dshs.texas.gov), after your organization has completed its registration of intent. You may still be asked for the password the registry assigned on the first connection.",
  support: {
    team: 'Texas Immunization Registry Interoperability Team',
    phone: '(800) 348-9158, option 3',
    email: 'ImmTracMU@dshs.texas.gov',
  },
};

/** Colorado Immunization Information System: "CIIS Interface Connectivity Information". */
export const coloradoCiis: ProfileInput = {
  id: 'colorado-ciis',
  name: 'Colorado CIIS',
  endpoints: [
    { protocol: 'sftp', host: 'sshftp.cohealthnet.com', port: 22 },
    {
      protocol: 'ftps',
      host: 'sslftp.cohealthnet.com',
      port: 1971,
      tls: 'explicit',
      passivePorts: { from: 52000, to: 52040 },
    },
  ],
  username: {
    label: 'Username',
    hint: 'The username CIIS user support assigned to your account.',
    isImportCode: false,
  },
  // "CIIS also has a secure FTP server to handle only inbound messages": files go to the folder the
  // account logs in to, which "will likely be blank". Test and production files go to the same place.
  folders: [
    {
      role: 'dropoff',
      name: 'Inbound',
      path: '.',
      rights: ['list', 'write'],
      description: 'Your account folder on the CIIS server. Test and production files both go here.',
    },
  ],
  quotaFiles: null,
  retentionDays: null,
  answerWithinMinutes: 24 * 60,
  // CIIS publishes no client settings; the same careful ones as Texas (no retries: a registry locks
  // an account after failed logins).
  network: { timeoutSeconds: 65, retries: 0, retryDelaySeconds: 30, keepAlive: false, disconnectAfterTransfers: true },
  tlsMinVersion: 'TLSv1.2',
  files: { extension: null, importCodeInName: false },
  // EFT Server's own page for a password change (unconfirmed for this host, see REGISTRIES.md).
  // Over SFTP the server makes the user choose at sign-in; over FTPS an expired user can log in but
  // nothing works until the password is changed on the page.
  passwordChange: {
    requiredAtFirstLogin: true,
    webPageUrl: 'https://cohealthnet.com:447/manageaccount',
    methods: { sftp: 'server-prompt', ftps: 'web-page' },
    resetBy: 'Call CIIS user support to have it reset.',
  },
  webClientUrl: 'https://cohealthnet.com:447',
  support: { team: 'CIIS user support', phone: '(888) 611-9918' },
};

export const BUILT_IN_PROFILES: readonly ProfileInput[] = [texasImmTrac2, coloradoCiis];
