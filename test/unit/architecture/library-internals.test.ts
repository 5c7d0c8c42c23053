// Capabilities, not downcasts, and library internals in one place each (issue 12, item 5):
//   the credentials layer knows the RemoteFs port and its errors, never an adapter or a transfer
//   library; no adapter's class is exported, so what a connection can do (a server's password
//   commands, a replacing rename) is asked of the port (`fs.passwordCommands`), never found by a
//   downcast; and the only code that reaches past a library's public API (a field named `_sock`,
//   `_maxWriteLen`, ..., or a cast through `unknown` to a shape the library's types do not have) is
//   in the electron/engine/remote/*-internals.ts files, one per library, each reach commented with
//   why it is needed and what breaks if the library changes. An upgrade of ssh2, ssh2-sftp-client or
//   basic-ftp is then checked against those files alone.
// Read with TypeScript's parser, so comments and strings that mention `_sock` do not count.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, ROOT, shortPath, where } from '../../support/import-graph';

const graph = buildImportGraph();
const TRANSFER_LIBRARIES = new Set(['ssh2', 'ssh2-sftp-client', 'basic-ftp']);
const isInternals = (file: string) => basename(file).endsWith('-internals.ts');
const under = (folder: string) => (file: string) => shortPath(file).startsWith(folder);

describe('electron/engine/credentials', () => {
  it('imports from remote/ only the port (remote-fs.ts) and its errors, and no transfer library', () => {
    const allowed = new Set(['electron/engine/remote/remote-fs.ts', 'electron/engine/remote/errors.ts']);
    const found = graph.edges
      .filter((edge) => under('electron/engine/credentials/')(edge.from))
      .flatMap((edge) => {
        const t = edge.target;
        if (t.kind === 'package' && TRANSFER_LIBRARIES.has(t.name)) return [`${where(edge)} imports ${t.name}, a transfer library`];
        if (t.kind === 'project' && under('electron/engine/remote/')(t.file) && !allowed.has(shortPath(t.file))) {
          return [`${where(edge)} imports ${shortPath(t.file)}, an adapter (ask the RemoteFs port for a capability instead)`];
        }
        return [];
      });
    expect(found).toEqual([]);
  });
});

describe('the RemoteFs port', () => {
  it("is never downcast: no class that implements it is exported, so a capability is asked of the port (fs.passwordCommands), not of the adapter's class", () => {
    const exported = graph.files
      .filter((file) => /\.(ts|tsx)$/.test(file))
      .flatMap((file) => {
        const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
        return source.statements.filter(ts.isClassDeclaration).flatMap((node) => {
          const implementsPort = (node.heritageClauses ?? []).some((clause) => clause.types.some((type) => type.expression.getText(source) === 'RemoteFs'));
          const isExported = (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0;
          return implementsPort && isExported ? [`${shortPath(file)}: class ${node.name?.text ?? '(anonymous)'}`] : [];
        });
      });
    expect(exported).toEqual([]);
  });
});

/** Reaches past a library's types in one file: `x._field`, `x['_field']`, and `x as unknown as T`. */
function reachesPastTypes(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node) => `${shortPath(file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text.startsWith('_')) found.push(`${at(node)} reads ${node.name.text}`);
    if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text.startsWith('_')) {
      found.push(`${at(node)} reads ${node.argumentExpression.text}`);
    }
    if (ts.isAsExpression(node) && ts.isAsExpression(node.expression) && node.expression.type.kind === ts.SyntaxKind.UnknownKeyword) {
      found.push(`${at(node)} casts through unknown (${node.type.getText(source)})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('library internals', () => {
  const typescriptFiles = graph.files.filter((file) => /\.(ts|tsx|mts|cts)$/.test(file));

  it('are reached only from electron/engine/remote/*-internals.ts', () => {
    const found = typescriptFiles.filter((file) => !isInternals(file)).flatMap((file) => reachesPastTypes(file));
    expect(found).toEqual([]);
  });

  it('have one file per transfer library, beside the adapters that use them', () => {
    const internals = typescriptFiles.filter(isInternals).map(shortPath);
    expect(internals).toEqual([
      'electron/engine/remote/basic-ftp-internals.ts',
      'electron/engine/remote/ssh2-internals.ts',
      'electron/engine/remote/ssh2-sftp-client-internals.ts',
    ]);
    // Nothing above the adapters leans on a library's insides.
    const importers = graph.edges
      .filter((edge) => edge.target.kind === 'project' && isInternals(edge.target.file) && !under('electron/engine/remote/')(edge.from))
      .map((edge) => `${where(edge)} imports ${edge.specifier}`);
    expect(importers).toEqual([]);
  });

  it('are told apart from public fields, comments and strings by the check', () => {
    const probe = join(ROOT, 'electron/engine/remote/probe.ts');
    const text = [
      'const a = (s as unknown as { _sock?: Socket })._sock;',
      "const b = s['_protocol'];",
      '// s._sock is named in a comment',
      "const c = s.sock ?? '._debug' ?? (s as Socket);",
    ].join('\n');
    expect(reachesPastTypes(probe, text)).toEqual([
      'electron/engine/remote/probe.ts:1 reads _sock',
      'electron/engine/remote/probe.ts:1 casts through unknown ({ _sock?: Socket })',
      "electron/engine/remote/probe.ts:2 reads _protocol",
    ]);
  });
});
