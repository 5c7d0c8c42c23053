// `registry-transfer profiles`: the registries this computer knows.
import { summarizeProfile } from '../../engine/profiles';
import type { CommandOptions } from '../args';
import { catalogFor, openSettings, resolveDataDir } from '../engine-setup';
import { EXIT, type ExitCode } from '../exit-codes';
import { profileListing, type CliIo, type Output } from '../output';

export async function profilesCommand(options: CommandOptions, out: Output, io: CliIo): Promise<ExitCode> {
  const catalog = catalogFor(openSettings(options.dataDir, io.env), resolveDataDir(options.dataDir, io.env));
  const profiles = catalog.all().map((e) => summarizeProfile(e.profile, e.builtIn));
  if (out.json) {
    out.document({ ok: true, profiles });
    return EXIT.done;
  }
  out.out(profiles.flatMap((p, i) => (i === 0 ? profileListing(p) : ['', ...profileListing(p)])));
  return EXIT.done;
}
