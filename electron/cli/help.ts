// What `--help` prints: enough for a clinic's IT to set up a scheduled job without the manual.
import type { CommandName } from './args';
import { EXIT_CODES_HELP } from './exit-codes';

const GENERAL = `registry-transfer: the Registry Transfer app's engine from the command line, for
Task Scheduler, cron and connection checks. It uses the desktop app's profiles, trusted servers and
saved passwords, and it never stops to ask a question (change-password asks for the new password
when it runs in a terminal and no --new-password-env is given).

Usage:
  registry-transfer profiles [--json] [--data-dir DIR]
  registry-transfer list [FOLDER] --profile ID|FILE.json --user NAME [options]
  registry-transfer upload FILE... --profile ID|FILE.json --user NAME [--replace] [--accept-warnings] [options]
  registry-transfer download FOLDER [NAME...] --to DIR --profile ID|FILE.json --user NAME [options]
  registry-transfer report FOLDER NAME --profile ID|FILE.json --user NAME [options]
  registry-transfer submissions [--from DAY] [--to DAY] [--state STATE] --profile ID|FILE.json --user NAME [options]
  registry-transfer change-password --profile ID|FILE.json --user NAME [--new-password-env VAR] [options]
  registry-transfer practice [--data-dir DIR] [--sftp-port N] [--ftps-implicit-port N]
                             [--ftps-explicit-port N] [--process-after SECONDS] [--ready] [--json]
  registry-transfer keygen --out FILE [--type ed25519|rsa] [--passphrase-env VAR [--save-passphrase]] [--profile ID] [--json]
  registry-transfer diagnose --profile ID|FILE.json [--user NAME] [--password-env VAR | --key FILE] [options]
  registry-transfer send-new DIR --profile ID|FILE.json --user NAME [--pattern GLOB] [--move-to FOLDER] [options]
  registry-transfer schedule --every daily|weekly [--at HH:MM] [--day DAY] [--install] -- send-new DIR ...
  registry-transfer help [COMMAND]
  registry-transfer --version

Commands:
  profiles   the registries this computer knows, with their servers and folders
  list       the files in a registry's folders
  upload     check HL7 files and send them to the registry's dropoff folder
  download   save files from a registry folder (DQA reports, accepted files, consent notifications)
  report     show one of the registry's files: a DQA report as text, an ACK file decoded
  submissions
             where each file sent from this computer stands: waiting, accepted, its report
             and consent file, or not accepted
  change-password
             choose a new password (the registry's first-login change, or a change any time
             where the registry allows one); the only command that may ask a question
  keygen     make a key for SFTP sign-in by public key, and say what to send the registry
  send-new   send the files of an export folder that were not sent before (for a scheduled task)
  schedule   run send-new daily or weekly by this computer's scheduler (Task Scheduler, cron,
             systemd, launchd), never with a password in it
  diagnose   check the connection step by step (name, port, handshake, sign-in, folders, data
             connection) and say what to ask IT for
  practice   run the practice registry on this computer until Ctrl+C: a registry to practise
             against and to test scripts with (other commands reach it with --profile practice)

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

const CONNECTION_OPTIONS = `  --profile ID|FILE.json   a profile id (see registry-transfer profiles) or a profile file
  --user NAME              the login (for Texas, the import code)
  --password-env VAR       read the password from the environment variable VAR. Without it, the
                           password saved in the desktop app (the system keychain) is used.
                           A password is never given on the command line.
  --key FILE               sign in over SFTP with this private key (OpenSSH, PEM or PuTTY
                           .ppk), offered first; with --password-env too, for servers that want
                           both. See registry-transfer keygen.
  --passphrase-env VAR     the passphrase of the --key file, from the environment variable VAR
                           (without it: the one keygen --save-passphrase kept in the keychain)
  --trust FINGERPRINT      accept the server's identity if it shows this fingerprint and none is
                           trusted for it yet (SHA256:... as ssh-keygen -l prints it, or hex);
                           it is then remembered, so later runs need no --trust
  --protocol sftp|ftps     default: sftp, or the profile's only protocol
  --host HOST --port N     another server for the same registry (a test server, a proxy); the
                           profile's folders and rules stay
  --timeout SECONDS        network timeout (default: the profile's, 65 s for the registries)
  --data-dir DIR           where settings, trusted servers and the transfer history live
                           (default: the desktop app's, so the app shows what was sent)`;

const SCHEDULED = `In a scheduled job (Task Scheduler, cron): give full paths (Task Scheduler starts in
C:\\Windows\\System32 unless "Start in" is set), put paths with spaces in double quotes, and set the
password with --password-env or save it once in the desktop app under the same Windows account.
The command never asks a question; it shows a progress line only when its output is a terminal,
so a log file stays readable. The last line says how it went, e.g. "2 sent, 1 failed.".`;

const UPLOAD = `registry-transfer upload: check HL7 files and send them to the registry's dropoff folder.

Usage:
  registry-transfer upload FILE... --profile ID|FILE.json --user NAME [--replace] [--accept-warnings] [options]

Each FILE is checked as the desktop app checks it before a byte is sent, and each check is printed:
  OK        the check passed
  WARNING   the file can be sent, but only when you say so in advance (see below)
  ERROR     the file cannot be sent as it is (not an HL7 batch, import code missing from the name,
            the dropoff folder full, ...); fix it and send it again
A file that passes goes to a temporary name in the dropoff folder, its size is checked on the
server, and only then is it renamed, so the registry never picks up half a file. A file that fails
does not stop the next one. Every outcome is written to the transfer history. A * or ? in the file
name part of FILE matches files in that folder (e.g. "C:\\Exports\\*.HL7").

Options:
  --replace                replace a file of the same name that is still waiting in the dropoff
                           folder (without it, such a file is not sent)
  --accept-warnings        send files whose checks gave only warnings (counts in the batch
                           trailers, line endings, a file the registry already accepted, ...)
${CONNECTION_OPTIONS}
  --json                   print one JSON document with each file's checks, outcome, size and SHA-256
  -h, --help               this help

Example:
  registry-transfer upload "C:\\Clinic Exports\\ABC123_*.HL7" --profile texas-immtrac2 --user ABC123 --password-env RT_PASSWORD

${SCHEDULED}

${EXIT_CODES_HELP}
`;

const REPORT = `registry-transfer report: show one of the registry's files, read into memory only
(nothing is saved on this computer).

Usage:
  registry-transfer report FOLDER NAME --profile ID|FILE.json --user NAME [options]

FOLDER is one of the profile's folders by its name (DQA-Report, Accepted, Receive, HL7-Dropoff for
Texas; any case) or by its role (reports, accepted, receive, dropoff). NAME is a file's name in that
folder, without any path. How it is shown:
  a text report        printed as it is
  an ACK file          decoded: the totals, then one line per message (accepted, with errors,
                       rejected) with its errors beneath (location, codes, severity, text)
  a CSV report         as aligned columns
  an HTML report       as text: the tags are taken out, each table row on a line
  a PDF report         not printed: save it with registry-transfer download and open it there
Scores (completeness, quality, timeliness, overall) are printed first where the report states them.
A file over 64 MB, or one that is not text, is refused with a hint.

Options:
${CONNECTION_OPTIONS}
  --json                   print one JSON document: {"ok": true, "report": {...}} with the decoded
                           view (a PDF's bytes as base64) and the scores
  -h, --help               this help

Example:
  registry-transfer report DQA-Report ABC123_20261201_ACK.hl7 --profile texas-immtrac2 --user ABC123

${EXIT_CODES_HELP}
`;

const SUBMISSIONS = `registry-transfer submissions: where each file sent from this computer stands.

Usage:
  registry-transfer submissions [--from DAY] [--to DAY] [--state STATE]... --profile ID|FILE.json --user NAME [options]

Every file this computer sent to the account (from the transfer history, so use the same --data-dir
as the uploads), matched by name to the registry's folders, which are listed once each; nothing is
downloaded. Registries name their answers after the batch. A file is:
  waiting           still in the dropoff folder
  picked-up         gone from the dropoff, nothing back yet
  accepted          in the accepted folder, no report yet
  report-ready      accepted, and its ACK or data quality report is there
  consent-received  accepted, and its consent notification file is there
  rejected          a report came back, and the file is not in the accepted folder
  gone              nothing of it is on the server any more (purged, or deleted)
A file with nothing back after the registry's usual time gets a hint. Files on the registry that
match nothing sent from here are listed apart.

Options:
  --from DAY               sent on or after DAY (YYYY-MM-DD, this computer's calendar)
  --to DAY                 sent on or before DAY
  --state STATE            only files in this state; give it more than once, or a list: waiting,picked-up
${CONNECTION_OPTIONS}
  --json                   print one JSON document: {"ok": true, "submissions": [{"name", "state",
                           "sentAt", "size", "answeredAt", "accepted", "reports", "consent", "hint"}],
                           "unmatched": [...], "notes": [...]} (file names only where there are some)
  -h, --help               this help

Example:
  registry-transfer submissions --state rejected --from 2026-11-01 --profile texas-immtrac2 --user ABC123 --json

${EXIT_CODES_HELP}
`;

const KEYGEN = `registry-transfer keygen: make a key for SFTP sign-in by public key.

Usage:
  registry-transfer keygen --out FILE [--type ed25519|rsa] [--passphrase-env VAR [--save-passphrase]] [--profile ID] [--json]

Writes the private key to FILE (only you can read it) and the public key to FILE.pub, in OpenSSH's
format, and prints the public key and its SHA256 fingerprint. An existing file is never overwritten.
Send FILE.pub, never FILE, to the registry by encrypted e-mail (Texas: the Interoperability Team,
after your registration of intent), and sign in with the key once the registry says it is on file.

Options:
  --out FILE               where to write the private key (FILE.pub gets the public key)
  --type ed25519|rsa       Ed25519 (the default), or RSA with 4096 bits for a server that takes no
                           Ed25519 key
  --passphrase-env VAR     protect the key with the passphrase in the environment variable VAR
                           (without it, the key is not protected: keep FILE where only you read it)
  --save-passphrase        keep that passphrase in the system keychain (never in a file), so that
                           --key FILE needs no --passphrase-env for this user on this computer
  --profile ID             name the registry's team and address in what to do next
  --json                   print one JSON document: the files, type, fingerprint and public key
  -h, --help               this help

Example:
  registry-transfer keygen --out "C:\\Users\\clinic\\.ssh\\immtrac_ed25519" --passphrase-env KEY_PASSPHRASE --profile texas-immtrac2

${EXIT_CODES_HELP}
`;

const DOWNLOAD = `registry-transfer download: save files from one of the registry's folders.

Usage:
  registry-transfer download FOLDER [NAME...] --to DIR --profile ID|FILE.json --user NAME [options]

FOLDER is one of the profile's folders by its name (DQA-Report, Accepted, Receive for Texas; any
case) or by its role (reports, accepted, receive). Without NAME, every file in the folder is saved.
Files are saved in DIR under a name that is safe on Windows; an existing file is never overwritten:
the new one is saved as "name (2).ext". Where each file landed is printed, and written to the
transfer history.

Options:
  --to DIR                 the folder on this computer to save into (it must exist)
${CONNECTION_OPTIONS}
  --json                   print one JSON document with where each file was saved, its size and SHA-256
  -h, --help               this help

Example:
  registry-transfer download DQA-Report --to "C:\\Clinic Reports" --profile texas-immtrac2 --user ABC123

${SCHEDULED.replace('"2 sent, 1 failed."', '"2 saved, 0 failed."')}

${EXIT_CODES_HELP}
`;

const LIST = `registry-transfer list: the files in a registry's folders.

Usage:
  registry-transfer list [FOLDER] --profile ID|FILE.json --user NAME [options]

FOLDER is one of the profile's folders by its name (HL7-Dropoff, Accepted, DQA-Report, Receive for
Texas; any case) or by its role (dropoff, accepted, reports, receive). Without FOLDER, every folder.

Options:
${CONNECTION_OPTIONS}
  --json                   print one JSON document; errors too, as {"ok": false, ...}
  -h, --help               this help

A server that is not trusted yet, or whose identity changed, stops the command (exit 3) with the
fingerprint it showed: check it with the registry, then run again with --trust FINGERPRINT.

${EXIT_CODES_HELP}
`;

const CHANGE_PASSWORD = `registry-transfer change-password: choose a new password for a registry login.

Usage:
  registry-transfer change-password --profile ID|FILE.json --user NAME [--new-password-env VAR] [options]

The new password is read from the environment variable named by --new-password-env, or, in a
terminal, asked for twice without showing it. It is checked against the registry's rules before
anything is sent. Then the command does what the registry's profile says:
  - the registry asks for a new password at sign-in (SFTP, or WS_FTP Server's FTPS reply 560):
    the command signs in and answers with the new one;
  - the registry takes a change command after sign-in (FTPS SITE PSWD or SITE CPWD): the command
    signs in and sends it once;
  - the registry changes passwords only on its web page (Colorado CIIS over FTPS): the command
    says which page, and changes nothing (exit 1); so does a registry that changes passwords only
    when it asks at sign-in, when it does not ask.
Where the system keychain is available, the new password is saved there as pending before it is
sent, and becomes the saved password once the registry confirms it. If the connection ends before
the registry answers, both passwords are kept, and the next sign-in (of any command or the desktop
app) tries the old one once and then the new one once. Where there is no keychain, the command
says so: remember the new password.

Options:
  --new-password-env VAR   read the new password from the environment variable VAR
${CONNECTION_OPTIONS}
                           (--password-env names the CURRENT password here)
  --json                   print one JSON document with the outcome
  -h, --help               this help

Example:
  RT_NEW_PASSWORD=... registry-transfer change-password --profile texas-immtrac2 --protocol ftps --user ABC123 --password-env RT_PASSWORD --new-password-env RT_NEW_PASSWORD

A forgotten password cannot be recovered, only reset by the registry: see the profile's support
contact (registry-transfer profiles).

${EXIT_CODES_HELP}
`;

const PRACTICE = `registry-transfer practice: run the practice registry on this computer.

Usage:
  registry-transfer practice [--data-dir DIR] [--sftp-port N] [--ftps-implicit-port N]
                             [--ftps-explicit-port N] [--process-after SECONDS] [--ready] [--json]

A registry shaped like Texas ImmTrac2, listening on 127.0.0.1 only, for practice, training and
testing scripts and other clients; nothing sent to it reaches the state. It speaks SFTP and FTPS
(implicit TLS as Texas, and explicit TLS), with one account (PRAC01, a Texas-style import code) and
the Texas folders and rights: the top folder list-only; HL7-Dropoff list, read, write, rename,
delete; Accepted, DQA-Report and Receive list and read; 300 files per folder; files older than 180
days purged. A file sent to HL7-Dropoff is answered a few seconds later: the batch moved to
Accepted, its ACK and DQA report in DQA-Report, a consent notification in Receive.

Its host key, TLS certificate, account and files are kept in the practice folder of the data folder,
made on the first run and the same every start. The account's password is issued on the first run
and must be changed at the first sign-in (RFC 4252 password change over SFTP, PASS old new after
reply 560 over FTPS), as a real registry asks; --ready skips that change.

It prints how to connect (host, ports, fingerprints in the form --trust takes, username, password)
and runs until Ctrl+C or SIGTERM. Other commands reach it with --profile practice and the same
--data-dir, and trust its key and certificate without --trust.

Options:
  --data-dir DIR           the data folder (default: the desktop app's, whose window runs its own
                           practice registry while it is open: use another folder to run both)
  --sftp-port N            the SFTP port (default: a free port)
  --ftps-implicit-port N   the FTPS port with implicit TLS (default: a free port)
  --ftps-explicit-port N   the FTPS port with explicit TLS, AUTH TLS (default: a free port)
  --process-after SECONDS  how long after a file lands in HL7-Dropoff it is processed (default 5)
  --ready                  an account whose first-login password change is already done
  --json                   print exactly one line of JSON once it listens:
                           {"host", "sftp": {"port", "fingerprint"}, "ftpsImplicit": {...},
                            "ftpsExplicit": {...}, "username", "password"}
                           (password is null once the issued one was changed)
  -h, --help               this help

Example:
  registry-transfer practice --data-dir ./practice-data --ready --json

${EXIT_CODES_HELP}
`;

const SCHEDULE = `registry-transfer schedule: run send-new daily or weekly, by this computer's own scheduler.

Usage:
  registry-transfer schedule --every daily|weekly [--at HH:MM] [--day DAY] [--name NAME]
                             [--format windows|cron|systemd|launchd] [--install] -- send-new DIR ...
  registry-transfer schedule --list
  registry-transfer schedule --remove NAME

Prints the schedule for this computer's scheduler: a Task Scheduler task (XML for schtasks /create
/xml) on Windows, a launchd agent on macOS, a cron line on Linux (a systemd user timer with
--format systemd, or with --install where a systemd user manager runs). With --install it is put
there, and --list and --remove know it. Every path in the command is made absolute. The schedule
never carries a password: the run takes it from the system keychain, so the task runs as you, while
you are logged on, and a run missed meanwhile happens when it can (Windows, systemd).

Options:
  --every daily|weekly     how often
  --at HH:MM               the time of day (default 07:00)
  --day DAY                the day, with --every weekly (default monday)
  --name NAME              the schedule's name (default: send-new-PROFILE-USER)
  --format FORMAT          print another scheduler's format (installing needs this computer's own)
  --install                put it in this computer's scheduler
  --list, --remove NAME    the schedules installed from here
  --data-dir DIR           where the list and the runs' log files are kept
  --json                   print one JSON document
  -h, --help               this help

Example:
  registry-transfer schedule --every weekly --day friday --at 18:00 --install -- send-new "C:\\EHR\\Export" --profile texas-immtrac2 --user ABC123 --move-to "C:\\EHR\\Sent"

${EXIT_CODES_HELP}
`;

const SEND_NEW = `registry-transfer send-new: send what the EHR exported since the last run.

Usage:
  registry-transfer send-new DIR --profile ID|FILE.json --user NAME [--pattern GLOB] [--move-to FOLDER]
                             [--replace] [--accept-warnings] [options]

Sends every file in DIR that this computer has not delivered before, in name order, through the
same checks as upload, over one connection. What was delivered is recorded (by name and SHA-256) in
the data folder once the registry has the whole file. A file its checks stop is reported once and
not tried again until it changes; a file that could not be sent for another reason (the network)
is tried again on the next run, once. With nothing new, it says so, does not connect, and exits 0.
Temporary files (*.tmp, *.part, names starting with a dot or ~$) are left alone unless --pattern
names them. One run per account at a time: a second run started meanwhile leaves the files to the
first (exit 0); a run that crashed leaves nothing stuck.

Options:
  --pattern GLOB           only the files whose names match (e.g. "*.hl7"; * ? [abc]; any case)
  --move-to FOLDER         move each delivered file there (made when missing), never over a file
  --replace, --accept-warnings
                           as for upload
${CONNECTION_OPTIONS}
  --json                   print one JSON document: each file's checks and outcome
  -h, --help               this help

Example (a weekly Windows task, the password saved in the keychain by the desktop app):
  registry-transfer send-new "C:\\EHR\\Immunization Export" --pattern "*.hl7" --move-to "C:\\EHR\\Sent" --profile texas-immtrac2 --user ABC123

${EXIT_CODES_HELP}
`;

const DIAGNOSE = `registry-transfer diagnose: check the connection to a registry, step by step, for IT.

Usage:
  registry-transfer diagnose --profile ID|FILE.json [--protocol sftp|ftps] [--host H --port N]
                             [--user NAME] [--password-env VAR | --key FILE] [--trust FP]
                             [--timeout S] [--json]

Steps, each passed, failed or skipped, with what to ask IT for when one fails:
  1. finding the server by name (a warning when an IP address is given where the registry asks
     for its host name);
  2. the TCP connection to the registry's port;
  3. the TLS handshake (version, cipher, the certificate and whether it is trusted, its end date)
     or the SSH handshake (host key and whether it is trusted); nothing is sent before this;
  4. sign-in, only to a server whose identity is already trusted (or matches --trust), and only
     with a password (--password-env, or the one saved in the keychain) or a key: one attempt;
  5. listing each of the registry's folders;
  6. over FTPS, the passive data connection: the port the server named, and whether it lies in
     the range the registry publishes (Texas: 5000-5010; Colorado: 52000-52040).
Nothing is uploaded and nothing is changed. The report holds no password and no file's contents.
The last line names the step that failed. Exit status 0 when every step that ran passed.

Options:
${CONNECTION_OPTIONS}
  --json                   print one JSON document: every step, and the report as text
  -h, --help               this help

Example:
  registry-transfer diagnose --profile texas-immtrac2 --protocol ftps --user ABC123 --password-env IMMTRAC_PASSWORD

${EXIT_CODES_HELP}
`;

export function helpText(command: CommandName | null): string {
  if (command === 'practice') return PRACTICE;
  if (command === 'change-password') return CHANGE_PASSWORD;
  if (command === 'profiles') return PROFILES;
  if (command === 'list') return LIST;
  if (command === 'upload') return UPLOAD;
  if (command === 'download') return DOWNLOAD;
  if (command === 'report') return REPORT;
  if (command === 'submissions') return SUBMISSIONS;
  if (command === 'keygen') return KEYGEN;
  if (command === 'diagnose') return DIAGNOSE;
  if (command === 'send-new') return SEND_NEW;
  if (command === 'schedule') return SCHEDULE;
  return GENERAL;
}
