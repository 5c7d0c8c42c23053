// A profile describes one registry: where it is, how to reach it, its folders and their rights, and
// the rules its own specification sets. Built-in profiles and custom ones (a clinic's IT can write a
// JSON file for another registry of the same shape) go through the same schema.
import { z } from 'zod';
import { FOLDER_RIGHTS, FOLDER_ROLES, FTPS_PASSWORD_CHANGE_METHODS, PROTOCOLS, REPORT_FORMATS, SFTP_PASSWORD_CHANGE_METHODS } from '../../../shared/contract';
import { DEFAULT_PASSWORD_RULES } from '../../../shared/password-rules';

const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/, 'a host name or address, without scheme or path');
const port = z.number().int().min(1).max(65535);

export const endpointSchema = z
  .object({
    protocol: z.enum(PROTOCOLS),
    host: hostName,
    port,
    tls: z.enum(['implicit', 'explicit']).optional(),
    passivePorts: z.object({ from: port, to: port }).strict().optional(),
  })
  .strict()
  .refine((e) => e.protocol !== 'ftps' || e.tls !== undefined, {
    message: 'an FTPS endpoint must say whether TLS is implicit or explicit',
  })
  .refine((e) => !e.passivePorts || e.passivePorts.from <= e.passivePorts.to, {
    message: 'the passive port range must run from low to high',
  });

export const passwordRulesSchema = z
  .object({
    minLength: z.number().int().min(1).max(128).default(DEFAULT_PASSWORD_RULES.minLength),
    requireUpper: z.boolean().default(DEFAULT_PASSWORD_RULES.requireUpper),
    requireLower: z.boolean().default(DEFAULT_PASSWORD_RULES.requireLower),
    requireDigit: z.boolean().default(DEFAULT_PASSWORD_RULES.requireDigit),
    requireSymbol: z.boolean().default(DEFAULT_PASSWORD_RULES.requireSymbol),
  })
  .strict()
  .default({ ...DEFAULT_PASSWORD_RULES });

/**
 * Without a word from the profile: a server that asks at sign-in (SFTP), and WS_FTP Server's reply
 * 560 answered with `PASS old new` (FTPS); both only ever answer what the server itself demands.
 */
export const DEFAULT_PASSWORD_CHANGE_METHODS = { sftp: 'server-prompt', ftps: 'pass-old-new' } as const;

export const passwordChangeMethodsSchema = z
  .object({
    sftp: z.enum(SFTP_PASSWORD_CHANGE_METHODS).default(DEFAULT_PASSWORD_CHANGE_METHODS.sftp),
    ftps: z.enum(FTPS_PASSWORD_CHANGE_METHODS).default(DEFAULT_PASSWORD_CHANGE_METHODS.ftps),
  })
  .strict()
  .default({ ...DEFAULT_PASSWORD_CHANGE_METHODS });

export const folderSchema = z
  .object({
    role: z.enum(FOLDER_ROLES),
    /** What the window calls the folder. */
    name: z.string().min(1).max(80),
    /** The folder's path below the account folder; `.` is the account folder itself. */
    path: z
      .string()
      .min(1)
      .max(200)
      .refine((p) => p === '.' || /^[A-Za-z0-9._ -]+(\/[A-Za-z0-9._ -]+)*$/.test(p), 'a relative folder path')
      .refine((p) => !p.split('/').includes('..'), 'a folder path cannot climb out with ..'),
    rights: z.array(z.enum(FOLDER_RIGHTS)).min(1),
    description: z.string().max(300).default(''),
  })
  .strict();

export const profileSchema = z
  .object({
    id: z.string().min(1).max(60).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    name: z.string().min(1).max(100),
    endpoints: z.array(endpointSchema).min(1),
    username: z
      .object({
        label: z.string().min(1).max(40).default('Username'),
        hint: z.string().max(200).default(''),
        /** Texas: the username is the import code, which is also the account folder's name. */
        isImportCode: z.boolean().default(false),
      })
      .strict()
      .default({ label: 'Username', hint: '', isImportCode: false }),
    /**
     * Where the account's folders are: `login` = the folder the server logs in to (or, failing that,
     * `/<username>` when `isImportCode`). Both layouts are tried, so a server that logs in to its
     * root and one that logs in to the import-code folder both work.
     */
    folders: z.array(folderSchema).min(1),
    quotaFiles: z.number().int().positive().nullable().default(null),
    retentionDays: z.number().int().positive().nullable().default(null),
    /**
     * How long the registry usually takes to answer a file (pick it up, accept it, write its report),
     * in minutes: a sent file with nothing back after this gets a plain hint. Null: no hint.
     */
    answerWithinMinutes: z.number().positive().max(60 * 24 * 30).nullable().default(null),
    /** The formats the registry writes its data quality reports in; text and HTML when a profile is silent. */
    reportFormats: z.array(z.enum(REPORT_FORMATS)).min(1).max(REPORT_FORMATS.length).default(['text', 'html']),
    network: z
      .object({
        timeoutSeconds: z.number().min(1).max(600).default(65),
        retries: z.number().int().min(0).max(5).default(0),
        retryDelaySeconds: z.number().min(0).max(600).default(30),
        keepAlive: z.boolean().default(false),
        disconnectAfterTransfers: z.boolean().default(true),
      })
      .strict()
      .default({ timeoutSeconds: 65, retries: 0, retryDelaySeconds: 30, keepAlive: false, disconnectAfterTransfers: true }),
    tlsMinVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    files: z
      .object({
        extension: z.string().regex(/^\.[A-Za-z0-9]+$/).nullable().default(null),
        importCodeInName: z.boolean().default(false),
      })
      .strict()
      .default({ extension: null, importCodeInName: false }),
    passwordChange: z
      .object({
        requiredAtFirstLogin: z.boolean().default(false),
        webPageUrl: z.string().url().startsWith('https://').nullable().default(null),
        /** What a new password must be; the window checks as the user types, the engine before sending. */
        rules: passwordRulesSchema,
        methods: passwordChangeMethodsSchema,
        /** Titan FTP wants both passwords of `SITE PSWD` in double quotes; Serv-U wants them bare. */
        sitePswd: z.object({ quoted: z.boolean().default(false) }).strict().default({ quoted: false }),
        /** Who may ask the registry to reset a forgotten password, in the registry's words. */
        resetBy: z.string().min(1).max(400).nullable().default(null),
      })
      .strict()
      .default({
        requiredAtFirstLogin: false,
        webPageUrl: null,
        rules: { ...DEFAULT_PASSWORD_RULES },
        methods: { ...DEFAULT_PASSWORD_CHANGE_METHODS },
        sitePswd: { quoted: false },
        resetBy: null,
      }),
    webClientUrl: z.string().url().startsWith('https://').nullable().default(null),
    /**
     * How the registry takes a user's public key for SFTP, in its own words (Texas: by encrypted
     * e-mail to its Interoperability Team). Null: the window says to ask the support team.
     */
    publicKeyInstructions: z.string().min(1).max(600).nullable().default(null),
    support: z
      .object({
        team: z.string().min(1).max(120),
        phone: z.string().max(60).optional(),
        email: z.string().email().optional(),
        hours: z.string().min(1).max(200).optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const roles = p.folders.map((f) => f.role);
    if (new Set(roles).size !== roles.length) {
      ctx.addIssue({ code: 'custom', message: 'each folder role may appear once', path: ['folders'] });
    }
    if (!roles.includes('dropoff')) {
      ctx.addIssue({ code: 'custom', message: 'a profile needs a dropoff folder', path: ['folders'] });
    }
    const { methods, webPageUrl } = p.passwordChange;
    for (const protocol of PROTOCOLS) {
      if (methods[protocol] === 'web-page' && webPageUrl === null) {
        ctx.addIssue({ code: 'custom', message: `a ${protocol} password change on the web page needs passwordChange.webPageUrl`, path: ['passwordChange', 'methods', protocol] });
      }
    }
    const protocols = p.endpoints.map((e) => e.protocol);
    if (new Set(protocols).size !== protocols.length) {
      ctx.addIssue({ code: 'custom', message: 'one endpoint per protocol', path: ['endpoints'] });
    }
  });

export type Profile = z.output<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
export type ProfileEndpoint = z.output<typeof endpointSchema>;
export type ProfileFolder = z.output<typeof folderSchema>;
