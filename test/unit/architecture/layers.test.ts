// The layers of the app, held apart by a test rather than by discipline (issue 12, item 7):
//   engine and shared/ know nothing of Electron, React or the DOM (they run under plain Node, in the
//   CLI and in tests); the window's page imports only shared/ and itself (and its npm packages), never
//   electron/ or Node's modules; the CLI never reaches Electron or its main process; the preload
//   builds window.registry from shared/ and Electron only; and no project file imports itself back
//   through a chain of others.
// Imports are read with TypeScript's parser and resolver (test/support/import-graph.ts): type-only
// imports count too, because a layer that knows another's types depends on it all the same.
import ts from 'typescript';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, importsOf, layerOf, ROOT, shortPath, where, type ImportEdge, type Layer } from '../../support/import-graph';

const graph = buildImportGraph();
const edgesFrom = (layer: Layer) => graph.edges.filter((edge) => layerOf(edge.from) === layer);

/** Packages that exist only for a window: Electron itself, React and its DOM renderer. */
const WINDOW_PACKAGES = new Set(['electron', 'react', 'react-dom', 'scheduler']);
/** TypeScript's global type libraries of a browser (`/// <reference lib="dom" />` and kin). */
const isBrowserLib = (name: string) => name.startsWith('dom') || name.startsWith('webworker');

/** One line per import that breaks a rule: where it is, what it imports, and why that is wrong. */
function violations(edges: ImportEdge[], why: (edge: ImportEdge) => string | null): string[] {
  return edges.flatMap((edge) => {
    const reason = why(edge);
    return reason === null ? [] : [`${where(edge)} imports ${JSON.stringify(edge.specifier)}: ${reason}`];
  });
}

/** The rule for a project file: only the given layers may be imported. */
const projectLayerRule = (allowed: Layer[]) => (edge: ImportEdge) => {
  if (edge.target.kind !== 'project') return null;
  const layer = layerOf(edge.target.file);
  return layer !== null && allowed.includes(layer) ? null : `${shortPath(edge.target.file)} is in ${layer ?? 'no layer'}, outside ${allowed.join(', ')}`;
};

describe('the import reader', () => {
  // A made-up engine file with every way a module can be asked for: the rules below are only as good
  // as what the reader sees.
  const probe = join(ROOT, 'electron/engine/probe.tsx');
  const text = [
    '/// <reference lib="dom" />',
    "import type { BrowserWindow } from 'electron';",
    "import { type RemoteFs } from './remote/remote-fs';",
    "import { failure } from '../../shared/contract';",
    "import '../../renderer/styles.css';",
    "export { sendFile } from './transfers/upload';",
    "export type { Vault } from './credentials/vault';",
    "const later = () => import('react-dom/client');",
    "type Keytar = typeof import('keytar');",
    "const fs = require('node:fs');",
    "import os = require('os');",
    'const computed = (name: string) => import(name);',
    'export const view = <div />;',
  ].join('\n');
  const options = { jsx: ts.JsxEmit.ReactJSX, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext };
  const seen = importsOf(probe, text, options).map((edge) => ({
    line: edge.line,
    kind: edge.kind,
    target: 'file' in edge.target ? `${edge.target.kind} ${shortPath(edge.target.file)}` : 'name' in edge.target ? `${edge.target.kind} ${edge.target.name}` : edge.target.kind,
  }));

  it('sees static, type-only, re-exported, dynamic, require and type-query imports, and JSX', () => {
    expect(seen).toEqual(
      expect.arrayContaining([
        { line: 1, kind: 'type', target: 'lib dom' },
        { line: 2, kind: 'type', target: 'package electron' },
        { line: 3, kind: 'type', target: 'project electron/engine/remote/remote-fs.ts' },
        { line: 4, kind: 'value', target: 'project shared/contract.ts' },
        { line: 5, kind: 'value', target: 'asset renderer/styles.css' },
        { line: 6, kind: 'value', target: 'project electron/engine/transfers/upload.ts' },
        { line: 7, kind: 'type', target: 'project electron/engine/credentials/vault.ts' },
        { line: 8, kind: 'dynamic', target: 'package react-dom' },
        { line: 9, kind: 'type', target: 'package keytar' },
        { line: 10, kind: 'value', target: 'builtin fs' },
        { line: 11, kind: 'value', target: 'builtin os' },
        { line: 12, kind: 'dynamic', target: 'unresolved' },
        { line: 13, kind: 'jsx-runtime', target: 'package react' },
      ]),
    );
    expect(seen).toHaveLength(13);
  });

  it('finds a cycle and names its path', () => {
    const [a, b, c] = ['a.ts', 'b.ts', 'c.ts'].map((name) => join(ROOT, 'shared', name)) as [string, string, string];
    const edge = (from: string, to: string): ImportEdge => ({ from, specifier: to, kind: 'value', line: 1, target: { kind: 'project', file: to } });
    const cycles = findCycles({ files: [a, b, c], edges: [edge(a, b), edge(b, c), edge(c, a), edge(c, c)] });
    expect(cycles.map((cycle) => cycle.map(shortPath).join(' -> '))).toEqual(['shared/a.ts -> shared/b.ts -> shared/c.ts -> shared/a.ts']);
    expect(findCycles({ files: [a, b], edges: [edge(a, b)] })).toEqual([]);
  });
});

describe('the import graph', () => {
  it('is read from every layer', () => {
    const layers = new Set(graph.files.map(layerOf));
    for (const layer of ['engine', 'cli', 'main', 'preload', 'shared', 'renderer'] as const) expect(layers).toContain(layer);
    // A file in none of the layers would escape every rule below.
    expect(graph.files.filter((file) => layerOf(file) === null).map(shortPath)).toEqual([]);
  });

  it('names a file for every import it can see', () => {
    const unresolved = graph.edges.filter((edge) => edge.target.kind === 'unresolved');
    // The one computed import(): the npm launcher of the CLI loads the bundle the build wrote.
    const expected = ['electron/cli/registry-transfer.mjs:11 imports null'];
    expect(unresolved.map((edge) => `${where(edge)} imports ${JSON.stringify(edge.specifier)}`)).toEqual(expected);
  });

  it('has no import cycles among project files', () => {
    const cycles = findCycles(graph).map((cycle) => cycle.map(shortPath).join(' -> '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });
});

describe('electron/engine and shared/', () => {
  it('never import Electron, React, the DOM, or a layer above them', () => {
    const found = [
      ...violations(edgesFrom('engine'), (edge) => {
        const t = edge.target;
        if (t.kind === 'package' && WINDOW_PACKAGES.has(t.name)) return 'a window-only package in the engine';
        if (t.kind === 'lib' && isBrowserLib(t.name)) return "the DOM's global types in the engine";
        if (t.kind === 'asset') return 'a file for the page (a style sheet or an image) in the engine';
        return projectLayerRule(['engine', 'shared'])(edge);
      }),
      ...violations(edgesFrom('shared'), (edge) => {
        const t = edge.target;
        if (t.kind === 'package' && WINDOW_PACKAGES.has(t.name)) return 'a window-only package in the contract';
        if (t.kind === 'lib' && isBrowserLib(t.name)) return "the DOM's global types in the contract";
        // The page loads shared/ too, in a sandbox without Node.
        if (t.kind === 'builtin') return 'a Node.js module in code the page loads';
        if (t.kind === 'asset') return 'a file for the page in the contract';
        return projectLayerRule(['shared'])(edge);
      }),
    ];
    expect(found).toEqual([]);
  });

  it("type-check without the DOM's types (electron/engine/tsconfig.json, electron/cli/tsconfig.json)", () => {
    expect(typeCheck('electron/engine/tsconfig.json')).toEqual([]);
    expect(typeCheck('electron/cli/tsconfig.json')).toEqual([]);
  }, 300_000);
});

describe('the renderer (renderer/src)', () => {
  it('imports only shared/, its own files and npm packages, never electron/ or Node.js modules', () => {
    const found = violations(edgesFrom('renderer'), (edge) => {
      const t = edge.target;
      if (t.kind === 'builtin') return 'a Node.js module in the sandboxed page';
      if (t.kind === 'package' && t.name === 'electron') return 'Electron in the page (the preload is its only way out)';
      if (t.kind === 'asset') return t.file.startsWith(join(ROOT, 'renderer')) ? null : 'a file from outside renderer/';
      return projectLayerRule(['renderer', 'shared'])(edge);
    });
    expect(found).toEqual([]);
  });

  it("type-checks without Node's types (renderer/tsconfig.json)", () => {
    expect(typeCheck('renderer/tsconfig.json')).toEqual([]);
  }, 300_000);
});

describe('electron/practice', () => {
  it('never imports Electron, React or the DOM, and of the engine only its HL7 reader, profiles and key maker; the engine never imports it', () => {
    const found = [
      ...violations(edgesFrom('practice'), (edge) => {
        const t = edge.target;
        if (t.kind === 'package' && WINDOW_PACKAGES.has(t.name)) return 'a window-only package in the practice registry';
        if (t.kind === 'lib' && isBrowserLib(t.name)) return "the DOM's global types in the practice registry";
        if (t.kind === 'project' && layerOf(t.file) === 'engine' && !/^electron\/engine\/((hl7|profiles)\/|keys\/whole-key-pair\.ts$)/.test(shortPath(t.file))) {
          return 'an engine module other than the HL7 reader, the profiles and the key maker (the practice registry is a server, not a client)';
        }
        return projectLayerRule(['practice', 'engine', 'shared'])(edge);
      }),
      ...violations(edgesFrom('engine'), (edge) => (edge.target.kind === 'project' && layerOf(edge.target.file) === 'practice' ? 'the practice registry in the engine' : null)),
    ];
    expect(found).toEqual([]);
  });
});

describe('electron/cli', () => {
  it('never imports Electron or electron/main (it runs under plain Node, on the same engine)', () => {
    const found = violations(edgesFrom('cli'), (edge) => {
      const t = edge.target;
      if (t.kind === 'package' && WINDOW_PACKAGES.has(t.name)) return 'a window-only package in the command line';
      return projectLayerRule(['cli', 'practice', 'engine', 'shared'])(edge);
    });
    expect(found).toEqual([]);
  });
});

describe('electron/preload', () => {
  it('imports only shared/, its own files and Electron, and of the contract only its types', () => {
    const found = violations(edgesFrom('preload'), (edge) => {
      const t = edge.target;
      if (t.kind === 'package' && t.name === 'electron') return null;
      if (t.kind === 'package' || t.kind === 'builtin') return 'a module the sandboxed preload does not need';
      // The contract builds zod schemas as it loads, and zod probes `new Function`, which the page's
      // CSP refuses: the preload takes the call names from shared/call-names.ts, the types alone from here.
      if (t.kind === 'project' && shortPath(t.file) === 'shared/contract.ts' && edge.kind !== 'type') {
        return 'the contract with its zod schemas in the preload (take call names and channels from shared/call-names.ts)';
      }
      return projectLayerRule(['preload', 'shared'])(edge);
    });
    expect(found).toEqual([]);
  });
});

describe('electron/main', () => {
  it('is the composition root: it wires the engine, and imports neither the CLI, the preload nor the page', () => {
    const found = violations(edgesFrom('main'), (edge) => {
      const t = edge.target;
      if (t.kind === 'package' && (t.name === 'react' || t.name === 'react-dom')) return 'React in the main process';
      return projectLayerRule(['main', 'practice', 'engine', 'shared'])(edge);
    });
    expect(found).toEqual([]);
  });
});

/** Type errors of one per-layer config, as `file(line): message` lines. */
function typeCheck(configFile: string): string[] {
  const configPath = join(ROOT, configFile);
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) return [`${configFile} could not be read`];
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return [...parsed.errors, ...ts.getPreEmitDiagnostics(program)].map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    return `${shortPath(d.file.fileName)}(${d.file.getLineAndCharacterOfPosition(d.start).line + 1}): ${text}`;
  });
}
