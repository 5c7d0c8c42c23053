// A hidden prompt on the terminal, for change-password's new password: the terminal is put in raw
// mode so nothing typed is echoed, and it is restored whatever happens.
import { CliError } from './errors';

export function readHiddenLine(input: NodeJS.ReadStream, output: NodeJS.WriteStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const wasRaw = input.isRaw === true;
    let value = '';
    let done = false;
    const finish = (error?: CliError) => {
      if (done) return;
      done = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onEnd = () => finish(new CliError('cancelled', 'Stopped before a new password was entered. Nothing was changed.'));
    // An arrow or function key sends ESC [ ... letter: skipped whole, so it adds nothing unseen.
    let escape: 'none' | 'started' | 'sequence' = 'none';
    function onData(chunk: Buffer | string) {
      for (const ch of String(chunk)) {
        if (escape === 'started') {
          escape = ch === '[' || ch === 'O' ? 'sequence' : 'none';
          continue;
        }
        if (escape === 'sequence') {
          if (ch >= '@' && ch <= '~') escape = 'none';
          continue;
        }
        if (ch === '\u001b') {
          escape = 'started';
          continue;
        }
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('cancelled', 'Stopped. Nothing was changed.'));
        if (ch === '\u007f' || ch === '\b') {
          value = [...value].slice(0, -1).join('');
          continue;
        }
        // Other control characters (arrow keys' escapes and the like) are no part of a password.
        if (ch < ' ') continue;
        value += ch;
      }
    }
    // Raw first: nothing typed after the prompt appears can be echoed.
    input.setRawMode?.(true);
    output.write(prompt);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.once('end', onEnd);
    input.resume();
  });
}
