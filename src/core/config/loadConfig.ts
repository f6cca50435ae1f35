import * as fs from 'node:fs';
import * as path from 'node:path';
import { getNodeValue, parseTree, printParseErrorCode, type ParseError, type JSONPath } from 'jsonc-parser';
import { z } from 'zod';
import { configSchema, type DepthLabConfig } from './schema';
import { JsonLocator } from './jsonLocation';
import { ConfigError, UserError, type ConfigProblem } from '../errors';
import { unreadableFile, withoutBom } from '../files/unreadableFile';

export interface LoadedConfig {
  config: DepthLabConfig;
  /** Absolute path of the config file. */
  file: string;
  /** Directory the config's relative paths resolve against. */
  dir: string;
  locator: JsonLocator;
}

export function loadConfig(file: string): LoadedConfig {
  const absolute = path.resolve(file);
  const problem = unreadableFile(file, 'config file');
  if (problem) throw new UserError(problem);
  return parseConfig(fs.readFileSync(absolute, 'utf8'), absolute);
}

/** Parse and validate config text (JSON with comments). Throws ConfigError with every problem located. */
export function parseConfig(withBom: string, file: string): LoadedConfig {
  const text = withoutBom(withBom);
  const displayName = path.relative(process.cwd(), file) || file;
  const syntaxErrors: ParseError[] = [];
  const root = parseTree(text, syntaxErrors, { allowTrailingComma: true, disallowComments: false });
  const locator = new JsonLocator(displayName, text, root);
  if (syntaxErrors.length > 0 || !root) {
    const problems = syntaxErrors.map((e) => ({
      location: locator.atOffset(e.offset, e.length),
      message: `invalid JSON: ${printParseErrorCode(e.error)}`,
    }));
    throw new ConfigError(problems.length ? problems : [{ location: locator.atOffset(0, 0), message: 'empty file; allowed: a JSON object' }]);
  }
  const raw: unknown = getNodeValue(root);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, raw, locator));
    problems.sort((a, b) => a.location.offset - b.location.offset);
    throw new ConfigError(problems);
  }
  return { config: result.data, file, dir: path.dirname(file), locator };
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, locator: JsonLocator): ConfigProblem[] {
  const issuePath = issue.path as JSONPath;
  const actual = valueAt(raw, issuePath);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        location: locator.at(issuePath, key),
        message: `unknown key "${key}"; allowed: ${allowedKeys(issuePath).join(', ')}`,
      }));
    case 'invalid_type':
      return [
        {
          location: locator.at(issuePath),
          message:
            actual === undefined
              ? `missing; allowed: ${issue.expected}`
              : `${show(actual)} is ${kindOf(actual)}; allowed: ${expectedKind(issue.expected)}`,
        },
      ];
    case 'invalid_value':
      return [
        { location: locator.at(issuePath), message: `${show(actual)}; allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` },
      ];
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const what = issue.origin === 'array' ? 'number of entries ' : issue.origin === 'string' ? 'length ' : '';
      return [{ location: locator.at(issuePath), message: `${show(actual)}; allowed: ${what}${op} ${String(bound)}` }];
    }
    default:
      return [{ location: locator.at(issuePath), message: issue.message, semantic: issue.code === 'custom' }];
  }
}

function expectedKind(expected: string): string {
  return expected === 'int' ? 'an integer' : `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'not an integer';
  return `a ${typeof value}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'missing' : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function valueAt(raw: unknown, jsonPath: JSONPath): unknown {
  let value = raw;
  for (const part of jsonPath) value = value == null ? undefined : (value as Record<string | number, unknown>)[part];
  return value;
}

/** Keys the schema allows on the object at `jsonPath`. */
function allowedKeys(jsonPath: JSONPath): string[] {
  let schema: z.ZodType = configSchema;
  for (const part of jsonPath) {
    const shape = objectShape(schema);
    if (!shape || typeof part !== 'string') return [];
    schema = shape[part];
  }
  return Object.keys(objectShape(schema) ?? {});
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: z.ZodType | undefined = schema;
  while (current) {
    if (current instanceof z.ZodObject) return current.shape as Record<string, z.ZodType>;
    const def: { innerType?: z.ZodType; in?: z.ZodType } = (current as { _zod: { def: { innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    current = def.innerType ?? def.in;
  }
  return undefined;
}
