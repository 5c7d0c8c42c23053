// Packages loaded natively by Node (not through Vitest), such as electron-store, import 'electron'
// themselves, where vi.mock cannot reach. This routes that import to a small stub with just what
// electron-store asks of the main process (app.getPath, app.getVersion, ipcMain.on). Call it before
// the first import of such a package; it only affects the test process that calls it.
import { register } from 'node:module';
import { tmpdir } from 'node:os';

let routed = false;

export function routeNativeElectronImportsToStub(): void {
  if (routed) return;
  routed = true;
  const stub = `export default { app: { getPath: () => ${JSON.stringify(tmpdir())}, getVersion: () => '0.0.0-test' }, ipcMain: { on() {} }, shell: {} };`;
  const stubUrl = `data:text/javascript,${encodeURIComponent(stub)}`;
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === 'electron') return { url: ${JSON.stringify(stubUrl)}, shortCircuit: true };
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
