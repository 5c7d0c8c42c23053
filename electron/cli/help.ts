// What `--help` prints: enough for a clinic's IT to set up a scheduled job without the manual.
import type { CommandName } from './args';
import { EXIT_CODES_HELP } from './exit-codes';

const GENERAL = `registry-transfer: the Registry Transfer app's engine from the command line, for
Task Scheduler, cron and connection checks. It uses the desktop app's profiles, trusted servers and
saved passwords, and it never stops to ask a question.

Usage:
  registry-transfer profiles [--json] [--data-dir DIR]
  registry-transfer list [FOLDER] --profile ID|FILE.json --user NAME [options]
  registry-transfer help [COMMAND]
  registry-transfer --version

Commands:
  profiles   the registries this computer knows, with their servers and folders
  list       the files in a registry's folders

Run registry-transfer COMMAND --help for its options.

${EXIT_CODES_HELP}
`;

const PROFILES = `registry-transfer profiles: the registries this computer knows.

Usage:
  registry-transfer profiles [--json] [--data-dir DIR]

Lists the built-in registries (Texas ImmTrac2, Colorado CIIS) and the custom profiles saved in the
desktop app, with each one's servers, ports and folders.

Options:
  --json            print one JSON document instead of the list
  --data-dir DIR    where the desktop app keeps its settings (default: its own data folder)
  -h, --help        this help

${EXIT_CODES_HELP}
`;

const LIST = `registry-transfer list: the files in a registry's folders.

Usage:
  registry-transfer list [FOLDER] --profile ID|FILE.json --user NAME [options]

FOLDER is one of the profile's folders by its name (HL7-Dropoff, Accepted, DQA-Report, Receive for
Texas; any case) or by its role (dropoff, accepted, reports, receive). Without FOLDER, every folder.

Options:
  --profile ID|FILE.json   a profile id (see registry-transfer profiles) or a profile file
  --user NAME              the login (for Texas, the import code)
  --password-env VAR       read the password from the environment variable VAR. Without it, the
                           password saved in the desktop app (the system keychain) is used.
                           A password is never given on the command line.
  --trust FINGERPRINT      accept the server's identity if it shows this fingerprint and none is
                           trusted for it yet (SHA256:... as ssh-keygen -l prints it, or hex);
                           it is then remembered, so later runs need no --trust
  --protocol sftp|ftps     default: sftp, or the profile's only protocol
  --host HOST --port N     another server for the same registry (a test server, a proxy); the
                           profile's folders and rules stay
  --timeout SECONDS        network timeout (default: the profile's, 65 s for the registries)
  --data-dir DIR           where settings and trusted servers live (default: the desktop app's)
  --json                   print one JSON document; errors too, as {"ok": false, ...}
  -h, --help               this help

A server that is not trusted yet, or whose identity changed, stops the command (exit 3) with the
fingerprint it showed: check it with the registry, then run again with --trust FINGERPRINT.

${EXIT_CODES_HELP}
`;

export function helpText(command: CommandName | null): string {
  if (command === 'profiles') return PROFILES;
  if (command === 'list') return LIST;
  return GENERAL;
}
