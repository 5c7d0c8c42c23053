// Schedules made for the clinic (issue 17, item 2): the same `send-new` command, run daily or weekly
// by the computer's own scheduler: a Windows Task Scheduler task (XML for `schtasks /create /xml`), a
// cron line, a systemd user timer, or a launchd agent. The command carries no password: the run takes
// it from the system keychain, which is why each schedule runs as the user, while the user is logged
// on (Windows: an interactive token; Linux: the user's session bus; macOS: a user agent).
// Pure text here; installing is schedule.ts's.

export const SCHEDULE_FORMATS = ['windows', 'cron', 'systemd', 'launchd'] as const;
export type ScheduleFormat = (typeof SCHEDULE_FORMATS)[number];

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface ScheduleSpec {
  /** A short name of letters, digits, - and _: the task's, the unit's and the agent's. */
  name: string;
  every: 'daily' | 'weekly';
  hour: number;
  minute: number;
  /** Weekly: the day. */
  day: Weekday;
  /** The program and its arguments, each whole (the runtime, the CLI, then send-new and its options). */
  command: readonly string[];
  /** Where the runs' output goes (a log file in the data folder), for cron and launchd. */
  logFile: string;
  /** Linux: the user's id, for the session bus address cron does not give. */
  uid?: number;
  /** The first run on or after this time (Windows wants a start date). */
  now: Date;
}

const pad = (n: number) => String(n).padStart(2, '0');
const TITLE = (day: Weekday) => day.charAt(0).toUpperCase() + day.slice(1);

export const UNIT_PREFIX = 'registry-transfer-';
export const CRON_MARKER = '# registry-transfer schedule:';

/** A word for a POSIX shell: single quotes, a quote inside closed, escaped and reopened. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * One argument for Windows' command line as CommandLineToArgvW reads it (what Node and most programs
 * use): quoted when it holds a space, a tab or a quote, backslashes doubled only before a quote.
 */
export function windowsArgument(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const c of arg) {
    if (c === '\\') {
      backslashes += 1;
      continue;
    }
    out += c === '"' ? '\\'.repeat(backslashes * 2 + 1) + '"' : '\\'.repeat(backslashes) + c;
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The first time at hour:minute (on `day`, weekly) not before `now`, local time, as Task Scheduler writes it. */
function startBoundary(spec: ScheduleSpec): string {
  const at = new Date(spec.now);
  at.setHours(spec.hour, spec.minute, 0, 0);
  if (spec.every === 'weekly') {
    while (at.getDay() !== WEEKDAYS.indexOf(spec.day) || at < spec.now) at.setDate(at.getDate() + 1);
  } else if (at < spec.now) {
    at.setDate(at.getDate() + 1);
  }
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(spec.hour)}:${pad(spec.minute)}:00`;
}

/**
 * Task Scheduler's task (schema version 1.2, Windows 7 and later). Runs as the user who installs it,
 * only while logged on (InteractiveToken), so the run reaches the user's Credential Manager and no
 * password is stored with the task; a run missed while the computer was off starts when it can. One
 * at a time; stopped after two hours.
 */
export function windowsTaskXml(spec: ScheduleSpec): string {
  const [program = '', ...args] = spec.command;
  const trigger =
    spec.every === 'daily'
      ? '      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>'
      : `      <ScheduleByWeek>\n        <DaysOfWeek>\n          <${TITLE(spec.day)} />\n        </DaysOfWeek>\n        <WeeksInterval>1</WeeksInterval>\n      </ScheduleByWeek>`;
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Author>Registry Transfer</Author>
    <Description>${xmlText(`Sends new files from the export folder to the immunization registry (registry-transfer send-new), ${spec.every === 'daily' ? 'every day' : `every ${TITLE(spec.day)}`} at ${pad(spec.hour)}:${pad(spec.minute)}.`)}</Description>
    <URI>\\Registry Transfer\\${xmlText(spec.name)}</URI>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>${startBoundary(spec)}</StartBoundary>
      <Enabled>true</Enabled>
${trigger}
    </CalendarTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT2H</ExecutionTimeLimit>
    <Priority>7</Priority>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xmlText(program)}</Command>
      <Arguments>${xmlText(args.map(windowsArgument).join(' '))}</Arguments>
    </Exec>
  </Actions>
</Task>
`;
}

/**
 * One crontab line. cron gives no session bus, so the line names the user's (where GNOME Keyring
 * or KWallet answers while the user is logged in); `%` is cron's newline, so it is escaped.
 */
export function cronLine(spec: ScheduleSpec): string {
  const when = `${spec.minute} ${spec.hour} * * ${spec.every === 'daily' ? '*' : WEEKDAYS.indexOf(spec.day)}`;
  const bus = spec.uid !== undefined ? `DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/${spec.uid}/bus ` : '';
  const command = `${bus}${spec.command.map(shellWord).join(' ')} >> ${shellWord(spec.logFile)} 2>&1`;
  return `${when} ${command.replace(/%/g, '\\%')} ${CRON_MARKER} ${spec.name}`;
}

/** An argument as systemd's ExecStart reads it: double-quoted, `\` and `"` escaped, `%` and `$` doubled. */
function systemdWord(word: string): string {
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** A systemd user service and its timer (Persistent: a run missed while off happens at the next start). */
export function systemdUnits(spec: ScheduleSpec): { service: string; timer: string; serviceName: string; timerName: string } {
  const base = `${UNIT_PREFIX}${spec.name}`;
  const calendar = spec.every === 'daily' ? `*-*-* ${pad(spec.hour)}:${pad(spec.minute)}:00` : `${TITLE(spec.day).slice(0, 3)} *-*-* ${pad(spec.hour)}:${pad(spec.minute)}:00`;
  return {
    serviceName: `${base}.service`,
    timerName: `${base}.timer`,
    service: `[Unit]
Description=Registry Transfer: send new files from the export folder (${spec.name})
After=network-online.target

[Service]
Type=oneshot
ExecStart=${spec.command.map(systemdWord).join(' ')}
`,
    timer: `[Unit]
Description=Registry Transfer: ${spec.every === 'daily' ? 'every day' : `every ${TITLE(spec.day)}`} at ${pad(spec.hour)}:${pad(spec.minute)} (${spec.name})

[Timer]
OnCalendar=${calendar}
Persistent=true

[Install]
WantedBy=timers.target
`,
  };
}

/** A launchd user agent (macOS): ~/Library/LaunchAgents, run as the user, output to the log file. */
export function launchdPlist(spec: ScheduleSpec): { label: string; plist: string } {
  const label = `org.registrytransfer.${spec.name}`;
  const interval = [`    <key>Hour</key>\n    <integer>${spec.hour}</integer>`, `    <key>Minute</key>\n    <integer>${spec.minute}</integer>`];
  if (spec.every === 'weekly') interval.push(`    <key>Weekday</key>\n    <integer>${WEEKDAYS.indexOf(spec.day)}</integer>`);
  return {
    label,
    plist: `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${xmlText(label)}</string>
  <key>ProgramArguments</key>
  <array>
${spec.command.map((word) => `    <string>${xmlText(word)}</string>`).join('\n')}
  </array>
  <key>StartCalendarInterval</key>
  <dict>
${interval.join('\n')}
  </dict>
  <key>StandardOutPath</key>
  <string>${xmlText(spec.logFile)}</string>
  <key>StandardErrorPath</key>
  <string>${xmlText(spec.logFile)}</string>
</dict>
</plist>
`,
  };
}
