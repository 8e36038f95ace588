/**
 * Reads the Bicep under infra/ without the Bicep CLI (which cannot be installed here):
 * tree-sitter-bicep's wasm grammar through web-tree-sitter, both offline.
 *
 * It checks syntax only, and evaluates literals only: a string with an
 * interpolation, a reference or a function call comes back as an
 * {@link Expression} holding its source text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

export const repoRoot = join(__dirname, '../..');
export const infraDir = join(repoRoot, 'infra');

/** A value the evaluator does not compute; `text` is its Bicep source. */
export class Expression {
  constructor(readonly text: string) {}
}

export type BicepValue = string | number | boolean | null | Expression | BicepValue[] | { [key: string]: BicepValue };

export interface BicepFile {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  tree: Tree;
}

let parser: Promise<Parser> | undefined;

function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const wasm = createRequire(__filename).resolve('tree-sitter-bicep/tree-sitter-bicep.wasm');
    const instance = new Parser();
    instance.setLanguage(await Language.load(wasm));
    return instance;
  })();
  return parser;
}

export function bicepPaths(directory = infraDir): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return bicepPaths(path);
      return entry.isFile() && entry.name.endsWith('.bicep') ? [path] : [];
    })
    .sort();
}

export async function parseBicep(path: string): Promise<BicepFile> {
  const tree = (await bicepParser()).parse(readFileSync(path, 'utf8'));
  if (!tree) throw new Error(`tree-sitter returned no tree for ${path}`);
  return { path: relative(repoRoot, path).split('\\').join('/'), tree };
}

/** ERROR and MISSING nodes, as "line:column text" for a readable failure. */
export function syntaxErrors(file: BicepFile): string[] {
  const errors: string[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      const { row, column } = node.startPosition;
      errors.push(`${file.path}:${row + 1}:${column + 1} ${node.isMissing ? `missing ${node.type}` : node.text.slice(0, 80)}`);
    }
    for (const child of node.children) if (child) visit(child);
  };
  visit(file.tree.rootNode);
  return errors;
}

function meaningful(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
}

function declarations(file: BicepFile, type: string): Map<string, Node> {
  const found = new Map<string, Node>();
  for (const node of meaningful(file.tree.rootNode)) {
    if (node.type !== type) continue;
    const name = meaningful(node).find((child) => child.type === 'identifier');
    if (name) found.set(name.text, node);
  }
  return found;
}

/** The value of `var <name> = <value>`, evaluated. */
export function variable(file: BicepFile, name: string): BicepValue {
  const node = declarations(file, 'variable_declaration').get(name);
  if (!node) throw new Error(`${file.path} has no variable ${name}`);
  const value = meaningful(node).at(-1);
  if (!value) throw new Error(`${file.path}: variable ${name} has no value`);
  return evaluate(value);
}

/** The evaluated arguments of each decorator on `param <name>`, by decorator name. */
export function parameterDecorators(file: BicepFile, name: string): Map<string, BicepValue[]> {
  const node = declarations(file, 'parameter_declaration').get(name);
  if (!node) throw new Error(`${file.path} has no parameter ${name}`);
  const decorators = new Map<string, BicepValue[]>();
  const previous = node.previousNamedSibling;
  if (previous?.type !== 'decorators') return decorators;
  for (const decorator of meaningful(previous)) {
    const call = meaningful(decorator).find((child) => child.type === 'call_expression');
    const callee = call?.childForFieldName('function');
    const args = call ? meaningful(call).find((child) => child.type === 'arguments') : undefined;
    if (callee) decorators.set(callee.text, args ? meaningful(args).map(evaluate) : []);
  }
  return decorators;
}

/** The source text after `=` of `param <name> ... = <default>`, or undefined when it has no default. */
export function parameterDefault(file: BicepFile, name: string): string | undefined {
  const node = declarations(file, 'parameter_declaration').get(name);
  if (!node) throw new Error(`${file.path} has no parameter ${name}`);
  const children = node.children.filter((child): child is Node => child !== null);
  const equals = children.findIndex((child) => child.type === '=');
  return equals === -1 ? undefined : children[equals + 1]?.text;
}

/** Every `<key>: <value>` in the file whose key is `key`, evaluated, at any depth. */
export function propertiesNamed(file: BicepFile, key: string): BicepValue[] {
  const values: BicepValue[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'object_property') {
      const [name, value] = meaningful(node);
      if (name && value && propertyKey(name) === key) values.push(evaluate(value));
    }
    for (const child of meaningful(node)) visit(child);
  };
  visit(file.tree.rootNode);
  return values;
}

/** Source text of every call to the function `name` (comments are not calls). */
export function calls(file: BicepFile, name: string): string[] {
  const found: string[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'call_expression' && node.childForFieldName('function')?.text === name) found.push(node.text);
    for (const child of meaningful(node)) visit(child);
  };
  visit(file.tree.rootNode);
  return found;
}

export interface ResourceDeclaration {
  /** The symbolic name: `account` in `resource account '…' = {…}`. */
  name: string;
  /** The type and API version: `Microsoft.DocumentDB/databaseAccounts@2024-11-15`. */
  type: string;
  /** The body, evaluated; for `= if (…) {…}` and `= [for … : {…}]`, the object inside. */
  body: BicepValue;
}

/** Every `resource` declaration in the file, in order. */
export function resources(file: BicepFile): ResourceDeclaration[] {
  return [...declarations(file, 'resource_declaration')].map(([name, node]) => {
    const [, type, value] = meaningful(node);
    const body = value?.type === 'object' ? value : value && meaningful(value).filter((child) => child.type === 'object').at(-1);
    return { name, type: type ? String(evaluate(type)) : '', body: body ? evaluate(body) : new Expression(node.text) };
  });
}

/** The registry module references (`module x 'br/public:...'`) in the file. */
export function moduleSources(file: BicepFile): string[] {
  return [...declarations(file, 'module_declaration').values()]
    .map((node) => meaningful(node).find((child) => child.type === 'string'))
    .map((source) => (source ? evaluate(source) : null))
    .filter((source): source is string => typeof source === 'string');
}

function propertyKey(node: Node): string {
  if (node.type === 'string') {
    const value = evaluate(node);
    return typeof value === 'string' ? value : node.text;
  }
  return node.text;
}

export function evaluate(node: Node): BicepValue {
  switch (node.type) {
    case 'string': {
      const parts = meaningful(node);
      return parts.every((part) => part.type === 'string_content')
        ? parts.map((part) => part.text).join('')
        : new Expression(node.text);
    }
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    case 'array':
      return meaningful(node).map(evaluate);
    case 'object': {
      const object: { [key: string]: BicepValue } = {};
      for (const property of meaningful(node)) {
        if (property.type !== 'object_property') return new Expression(node.text);
        const [name, value] = meaningful(property);
        if (name && value) object[propertyKey(name)] = evaluate(value);
      }
      return object;
    }
    case 'parenthesized_expression': {
      const [inner] = meaningful(node);
      return inner ? evaluate(inner) : new Expression(node.text);
    }
    default:
      return new Expression(node.text);
  }
}

export function isObject(value: BicepValue): value is { [key: string]: BicepValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Expression);
}
