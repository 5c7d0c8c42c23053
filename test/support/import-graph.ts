// The import graph of the app's own code (electron/, shared/, renderer/), read with TypeScript's own
// parser and module resolution, so that `import type`, `export ... from`, `import()`, `typeof
// import('x')`, `/// <reference lib="dom" />` and the JSX runtime a .tsx file pulls in are all seen
// exactly as the compiler sees them (a regular expression misses some and invents others).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');

/** Where a file sits in the architecture. `build-config` is tooling that runs in Node at build time. */
export type Layer = 'engine' | 'practice' | 'cli' | 'main' | 'preload' | 'shared' | 'renderer' | 'build-config';

/** Folders (relative to the root, `/` separated) and the layer their files belong to; first match wins. */
const LAYER_FOLDERS: [prefix: string, layer: Layer][] = [
  ['electron/engine/', 'engine'],
  // The practice registry built into the app: plain Node servers beside the engine, started by the
  // main process and the command line.
  ['electron/practice/', 'practice'],
  ['electron/cli/', 'cli'],
  ['electron/main/', 'main'],
  ['electron/preload/', 'preload'],
  ['shared/', 'shared'],
  ['renderer/src/', 'renderer'],
  // Vite's configuration is read by the build in Node; it is not part of the page.
  ['renderer/vite.config.ts', 'build-config'],
];

const SOURCE_FOLDERS = ['electron', 'shared', 'renderer'];
const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

export function layerOf(file: string): Layer | null {
  const path = relative(ROOT, file).split(sep).join('/');
  return LAYER_FOLDERS.find(([prefix]) => path === prefix || path.startsWith(prefix))?.[1] ?? null;
}

export type Target =
  | { kind: 'project'; file: string }
  /** A file of the project that is not code (a style sheet, an image). */
  | { kind: 'asset'; file: string }
  /** A JSON file read as a module (`resolveJsonModule`), e.g. package.json for the app's version. */
  | { kind: 'data'; file: string }
  /** An npm package, by its name (`react` for `react/jsx-runtime`, `@vitejs/plugin-react` whole). */
  | { kind: 'package'; name: string }
  /** A Node.js built-in module (`node:fs`, or `fs`). */
  | { kind: 'builtin'; name: string }
  /** A TypeScript library of global types (`/// <reference lib="dom" />`). */
  | { kind: 'lib'; name: string }
  /** A relative path that names no file, or an `import()` of a computed value. */
  | { kind: 'unresolved' };

export interface ImportEdge {
  /** Absolute path of the importing file. */
  from: string;
  /** The specifier as written (`null` for an `import()` of a computed value). */
  specifier: string | null;
  /** `type`: erased from the JavaScript (import type, export type, typeof import(), type references). */
  kind: 'value' | 'type' | 'dynamic' | 'jsx-runtime';
  line: number;
  target: Target;
}

export interface ImportGraph {
  /** Every source file of electron/, shared/ and renderer/, absolute paths, sorted. */
  files: string[];
  edges: ImportEdge[];
}

function listSourceFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.split(sep).includes('node_modules'));
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath).options;
}

const BUILTINS = new Set(builtinModules);
const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isRelative = (specifier: string) => specifier.startsWith('.') || specifier.startsWith('/');

function resolveSpecifier(specifier: string, from: string, options: ts.CompilerOptions, host: ts.ModuleResolutionHost): Target {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(packageName(specifier))) {
    return { kind: 'builtin', name: specifier.replace(/^node:/, '') };
  }
  if (!isRelative(specifier)) return { kind: 'package', name: packageName(specifier) };
  const resolved = ts.resolveModuleName(specifier, from, options, host).resolvedModule;
  if (resolved && !resolved.isExternalLibraryImport) {
    const file = resolve(resolved.resolvedFileName);
    return resolved.extension === ts.Extension.Json ? { kind: 'data', file } : { kind: 'project', file };
  }
  // TypeScript resolves only code; a style sheet or an image imported for the bundler is a file as written.
  const asFile = resolve(dirname(from), specifier);
  if (existsSync(asFile)) return SOURCE_FILE.test(asFile) ? { kind: 'project', file: asFile } : { kind: 'asset', file: asFile };
  return { kind: 'unresolved' };
}

const stringArgument = (node: ts.Node | undefined): string | null =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : null;

/** `import { type A, type B } from 'x'` is erased as wholly as `import type { A, B } from 'x'`. */
function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import 'x'` runs x
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function exportIsTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** Every module a source file asks for, with how it asks. */
export function importsOf(file: string, text: string, options: ts.CompilerOptions, host: ts.ModuleResolutionHost = ts.sys): ImportEdge[] {
  const kindOfScript = file.endsWith('x') ? ts.ScriptKind.TSX : file.endsWith('js') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kindOfScript);
  const edges: ImportEdge[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const add = (specifier: string | null, kind: ImportEdge['kind'], node: ts.Node) =>
    edges.push({
      from: file,
      specifier,
      kind,
      line: lineOf(node.getStart(source)),
      target: specifier === null ? { kind: 'unresolved' } : resolveSpecifier(specifier, file, options, host),
    });
  let jsx: ts.Node | null = null;

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(stringArgument(node.moduleSpecifier), importIsTypeOnly(node) ? 'type' : 'value', node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(stringArgument(node.moduleSpecifier), exportIsTypeOnly(node) ? 'type' : 'value', node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(stringArgument(node.moduleReference.expression), node.isTypeOnly ? 'type' : 'value', node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(stringArgument(node.arguments[0]), 'dynamic', node);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
      add(stringArgument(node.arguments[0]), 'value', node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(stringArgument(node.argument.literal), 'type', node);
    } else if (jsx === null && (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node))) {
      jsx = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  for (const reference of source.typeReferenceDirectives) {
    edges.push({ from: file, specifier: reference.fileName, kind: 'type', line: lineOf(reference.pos), target: { kind: 'package', name: `@types/${reference.fileName}` } });
  }
  for (const reference of source.libReferenceDirectives) {
    edges.push({ from: file, specifier: reference.fileName, kind: 'type', line: lineOf(reference.pos), target: { kind: 'lib', name: reference.fileName.toLowerCase() } });
  }
  // With "jsx": "react-jsx" the compiler adds `import ... from 'react/jsx-runtime'` to any file with JSX.
  if (jsx !== null && (options.jsx === ts.JsxEmit.ReactJSX || options.jsx === ts.JsxEmit.ReactJSXDev)) {
    add(`${options.jsxImportSource ?? 'react'}/jsx-runtime`, 'jsx-runtime', jsx);
  }
  return edges;
}

/** The import graph of electron/, shared/ and renderer/ as the code stands on disk. */
export function buildImportGraph(): ImportGraph {
  const options = compilerOptions();
  const files = SOURCE_FOLDERS.flatMap((folder) => listSourceFiles(join(ROOT, folder))).sort();
  const edges = files.flatMap((file) => importsOf(file, readFileSync(file, 'utf8'), options));
  return { files, edges };
}

/**
 * Every import cycle among the project's files: one closed path (first file repeated at the end)
 * for each strongly connected group of files (Tarjan's algorithm), or a file that imports itself.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>(graph.files.map((file) => [file, []]));
  for (const edge of graph.edges) {
    if (edge.target.kind === 'project' && next.has(edge.target.file)) next.get(edge.from)?.push(edge.target.file);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  // Recursion depth is the length of the longest import chain: a few dozen files at most.
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const to of next.get(file) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file)!, index.get(to)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== file);
      if (group.length > 1 || (next.get(file) ?? []).includes(file)) groups.push(group);
    }
  };
  for (const file of graph.files) if (!index.has(file)) connect(file);

  // A readable cycle inside each group: the shortest way back to its first file (breadth first).
  return groups.map((group) => {
    const members = new Set(group);
    const start = [...group].sort()[0]!;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.shift()!;
      for (const to of next.get(file) ?? []) {
        if (!members.has(to)) continue;
        if (to === start) {
          const path = [start];
          for (let at: string | undefined = file; at !== undefined && at !== start; at = cameFrom.get(at)) path.splice(1, 0, at);
          return [...path, start];
        }
        if (!cameFrom.has(to)) {
          cameFrom.set(to, file);
          queue.push(to);
        }
      }
    }
    return [...group, group[0]!];
  });
}

/** `electron/engine/x.ts:12`, for failure messages. */
export const where = (edge: ImportEdge) => `${relative(ROOT, edge.from).split(sep).join('/')}:${edge.line}`;
export const shortPath = (file: string) => relative(ROOT, file).split(sep).join('/');
