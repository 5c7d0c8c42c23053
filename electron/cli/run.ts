// One CLI run: read the command line, run the command, and turn whatever stopped it into an exit
// status and a message. Only change-password ever reads stdin, and only from a terminal: a scheduled
// job has nobody to answer.
import packageJson from '../../package.json';
import { parseCommandLine, wantsJson } from './args';
import { changePasswordCommand } from './commands/change-password';
import { downloadCommand } from './commands/download';
import { listCommand } from './commands/list';
import { practiceCommand } from './commands/practice';
import { reportCommand } from './commands/report';
import { submissionsCommand } from './commands/submissions';
import { diagnoseCommand } from './commands/diagnose';
import { scheduleCommand } from './commands/schedule';
import { sendNewCommand } from './commands/send-new';
import { keygenCommand } from './commands/keygen';
import { profilesCommand } from './commands/profiles';
import { uploadCommand } from './commands/upload';
import { toCliError } from './errors';
import { EXIT, type ExitCode } from './exit-codes';
import { helpText } from './help';
import { Output, type CliIo } from './output';

export const CLI_VERSION: string = packageJson.version;

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const out = new Output(io, wantsJson(argv));
  try {
    const line = parseCommandLine(argv);
    switch (line.kind) {
      case 'version':
        if (line.json) out.document({ ok: true, name: 'registry-transfer', version: CLI_VERSION });
        else out.out(`registry-transfer ${CLI_VERSION}`);
        return EXIT.done;
      case 'help':
        out.out(helpText(line.command).split('\n'));
        return EXIT.done;
      case 'run':
        switch (line.command) {
          case 'profiles':
            return await profilesCommand(line.options, out, io);
          case 'list':
            return await listCommand(line.options, line.positionals, out, io);
          case 'upload':
            return await uploadCommand(line.options, line.positionals, out, io);
          case 'download':
            return await downloadCommand(line.options, line.positionals, out, io);
          case 'report':
            return await reportCommand(line.options, line.positionals, out, io);
          case 'submissions':
            return await submissionsCommand(line.options, out, io);
          case 'change-password':
            return await changePasswordCommand(line.options, out, io);
          case 'practice':
            return await practiceCommand(line.options, out, io);
          case 'keygen':
            return await keygenCommand(line.options, out, io);
          case 'diagnose':
            return await diagnoseCommand(line.options, out, io);
          case 'send-new':
            return await sendNewCommand(line.options, line.positionals, out, io);
          case 'schedule':
            return await scheduleCommand(line.options, out, io);
        }
    }
  } catch (error) {
    return out.fail(toCliError(error));
  }
}
