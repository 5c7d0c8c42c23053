// The whole call surface of shared/contract.ts as one plain record, for a snapshot that shows every
// change to it in review (issue 12, item 6): each call's input as JSON Schema (zod's own
// `z.toJSONSchema`, with the refinements and normalisations JSON Schema cannot say noted beside it),
// each call's result type and every record it reaches (read with TypeScript's checker, since results
// are types, not schemas), the events, the error codes and the channels.
import { join } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';
import * as contract from '../../shared/contract';
import { ROOT } from './import-graph';

const CONTRACT = join(ROOT, 'shared/contract.ts');
const SHARED = join(ROOT, 'shared') + '/';

/**
 * JSON Schema of a call's input as the main process receives it (`io: 'input'`: defaults are
 * optional). JSON Schema has no words for a `.refine()` or a `.trim()`; they are listed under
 * `x-refinements` (by their messages) and `x-normalised`, read from zod 4's `_zod.def`, the
 * definition zod documents for library authors.
 */
function inputSchema(schema: z.ZodType): unknown {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      const checks = (zodSchema._zod.def as { checks?: { _zod: { def: { check: string; error?: (issue?: unknown) => unknown } } }[] }).checks ?? [];
      const refinements = checks
        .filter((c) => c._zod.def.check === 'custom')
        .map((c) => {
          const message = c._zod.def.error?.();
          return typeof message === 'string' ? message : '(a refinement without a message)';
        });
      if (refinements.length > 0) (jsonSchema as Record<string, unknown>)['x-refinements'] = refinements;
      if (checks.some((c) => c._zod.def.check === 'overwrite')) (jsonSchema as Record<string, unknown>)['x-normalised'] = true;
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** Result and record types, as TypeScript-like text; named records of shared/ by name, once. */
class TypeDescriber {
  readonly records = new Map<string, unknown>();

  constructor(private readonly checker: ts.TypeChecker) {}

  private sharedName(symbol: ts.Symbol | undefined): string | null {
    const declaration = symbol?.declarations?.[0];
    return symbol && declaration?.getSourceFile().fileName.startsWith(SHARED) ? symbol.getName() : null;
  }

  describe(type: ts.Type): string {
    const alias = this.sharedName(type.aliasSymbol);
    if (alias !== null) {
      const args = type.aliasTypeArguments ?? [];
      if (args.length > 0) {
        // A generic alias (Result<T>): its own text once, then each use with its argument.
        if (!this.records.has(alias)) {
          const declaration = type.aliasSymbol!.declarations![0] as ts.TypeAliasDeclaration;
          this.records.set(`${alias}<${declaration.typeParameters?.map((p) => p.name.text).join(', ')}>`, declaration.type.getText());
        }
        return `${alias}<${args.map((a) => this.describe(a)).join(', ')}>`;
      }
      if (!this.records.has(alias)) {
        this.records.set(alias, null); // taken before expanding, for records that name themselves
        this.records.set(alias, type.isUnion() ? this.unionMembers(type) : this.body(type));
      }
      return alias;
    }
    if (type.flags & ts.TypeFlags.Object && (type.symbol?.flags ?? 0) & ts.SymbolFlags.Interface) {
      const name = this.sharedName(type.symbol);
      if (name !== null) {
        if (!this.records.has(name)) {
          this.records.set(name, null);
          this.records.set(name, this.body(type));
        }
        return name;
      }
    }
    return this.inline(type);
  }

  /** A union's members, sorted so that the checker's internal order never shows as a change. */
  private unionMembers(type: ts.UnionType): string[] {
    const members = type.types.map((t) => this.describe(t));
    const booleans = members.includes('true') && members.includes('false');
    return [...new Set(members.map((m) => (booleans && (m === 'true' || m === 'false') ? 'boolean' : m)))].sort();
  }

  private inline(type: ts.Type): string {
    if (type.isUnion()) return this.unionMembers(type).join(' | ');
    if (type.isIntersection()) return type.types.map((t) => this.describe(t)).join(' & ');
    if (this.checker.isArrayType(type)) {
      const element = this.describe(this.checker.getTypeArguments(type as ts.TypeReference)[0]!);
      return /[|& ]/.test(element) && !element.startsWith('{') ? `(${element})[]` : `${element}[]`;
    }
    if (type.flags & ts.TypeFlags.Object && type.getCallSignatures().length === 0) {
      const body = this.body(type);
      const entries = Object.entries(body);
      return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k}: ${v}`).join('; ')} }`;
    }
    return this.checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType);
  }

  /**
   * An object's properties in declaration order, `name?` for optional ones. A property's type is read
   * from its declaration where it has one, so that `role?: FolderRole` stays `FolderRole` rather than
   * the literals of FolderRole and undefined.
   */
  private body(type: ts.Type): Record<string, string> {
    const body: Record<string, string> = {};
    for (const property of this.checker.getPropertiesOfType(type)) {
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const declaration = property.declarations?.[0];
      const written = declaration && (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) ? declaration.type : undefined;
      const propertyType = written ? this.checker.getTypeFromTypeNode(written) : this.checker.getTypeOfSymbol(property);
      body[optional ? `${property.getName()}?` : property.getName()] = this.describe(propertyType);
    }
    return body;
  }
}

export function contractSurface(): unknown {
  const configPath = join(ROOT, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram({ rootNames: [CONTRACT], options: parsed.options });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(CONTRACT)!)!;
  const exported = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.getName(), s]));
  const declaredType = (name: string) => {
    const symbol = exported.get(name);
    if (!symbol) throw new Error(`shared/contract.ts no longer exports ${name}`);
    return checker.getDeclaredTypeOfSymbol(symbol);
  };
  const types = new TypeDescriber(checker);

  const results = declaredType('CallResults');
  const calls = Object.fromEntries(
    contract.CALL_NAMES.map((name) => {
      const result = checker.getPropertyOfType(results, name);
      return [
        name,
        {
          input: inputSchema(contract.calls[name].input),
          result: result ? types.describe(checker.getTypeOfSymbol(result)) : '(missing from CallResults)',
        },
      ];
    }),
  );
  const resultsWithoutCall = checker.getPropertiesOfType(results).map((p) => p.getName()).filter((n) => !(contract.CALL_NAMES as readonly string[]).includes(n));

  const events = declaredType('RegistryEvent');
  types.describe(events);
  const eventTypes = (events.isUnion() ? events.types : [events]).map((t) => {
    const tag = checker.getPropertyOfType(t, 'type');
    const tagType = tag ? checker.getTypeOfSymbol(tag) : undefined;
    return tagType?.isStringLiteral() ? tagType.value : '(an event without a literal type)';
  });

  const api = declaredType('RegistryApi');
  const apiExtras = Object.fromEntries(
    checker
      .getPropertiesOfType(api)
      .filter((p) => !(contract.CALL_NAMES as readonly string[]).includes(p.getName()))
      .map((p) => [p.getName(), checker.typeToString(checker.getTypeOfSymbol(p), undefined, ts.TypeFormatFlags.NoTruncation)]),
  );

  return {
    calls,
    resultsWithoutCall,
    events: eventTypes,
    errorCodes: [...contract.ERROR_CODES],
    uploadCheckIds: { lines: [...contract.UPLOAD_CHECK_IDS], hl7Findings: [...contract.HL7_FINDING_CODES] },
    channels: {
      call: contract.callChannel('<name>' as contract.CallName),
      event: contract.EVENT_CHANNEL,
      droppedFile: contract.DROPPED_FILE_CHANNEL,
      droppedFilePath: inputSchema(contract.droppedFilePath),
    },
    api: apiExtras,
    records: Object.fromEntries([...types.records.entries()].sort(([a], [b]) => a.localeCompare(b))),
  };
}
