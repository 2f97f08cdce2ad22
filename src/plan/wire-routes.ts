import { parse as babelParse } from "@babel/parser";
import * as recast from "recast";

/**
 * Routes wired into the app's router file by a code-mod, for a file without `<nexus-integrate:routes>` markers:
 * the generated `<Route>` elements go into the app's `<Routes>` (or its `createBrowserRouter([...])` /
 * `createRoutesFromElements(...)` tree) and their imports after the app's own, with recast keeping everything
 * else exactly as it was. Each edit has an inverse (`unwireRoutes`) that takes out exactly what was added. A
 * file of a shape this does not understand is refused, never guessed at.
 */

type Node = recast.types.namedTypes.Node & Record<string, unknown>;
const b = recast.types.builders;

const parser = {
  parse: (source: string) =>
    babelParse(source, { sourceType: "module", plugins: ["jsx", "typescript"], tokens: true, errorRecovery: false }),
};

/** What one owner adds: the rendered route-imports block (import lines) and routes block (`<Route …/>` lines). */
export interface RouteWiring {
  imports: string;
  routes: string;
}

export type WireResult = { ok: true; text: string; changed: boolean } | { ok: false; reason: string };

interface RouteSpec {
  path: string;
  /** The element's source, `<HubSpotSetup />`. */
  elementSource: string;
  /** The JSX of the whole route, for a JSX tree. */
  jsx: Node;
  /** The element expression, for a route object. */
  element: Node;
}

interface ImportSpec {
  source: string;
  local: string;
  /** The whole declaration, inserted as is. */
  node: Node;
}

function parseModule(source: string): Node | null {
  try {
    return recast.parse(source, { parser }) as Node;
  } catch {
    return null;
  }
}

function print(node: unknown): string {
  // New nodes print on one line each, as the templates write them (recast would wrap JSX at 74 columns).
  return recast.print(node as Node, { wrapColumn: 1000 }).code;
}

/** Drops positions so recast prints an inserted node fresh, in the file's place, not as it stood in the template. */
function detach<T>(node: T): T {
  recast.visit(node as Node, {
    visitNode(path) {
      (path.node as { loc?: unknown }).loc = null;
      (path.node as { original?: unknown }).original = undefined;
      this.traverse(path);
    },
  });
  return node;
}

function jsxName(node: Node | null | undefined): string | null {
  if (!node || node.type !== "JSXElement") return null;
  const name = (node as unknown as { openingElement: { name: Node } }).openingElement.name;
  if (name.type === "JSXIdentifier") return (name as unknown as { name: string }).name;
  if (name.type === "JSXMemberExpression") return print(name);
  return null;
}

function jsxAttribute(element: Node, attribute: string): Node | null {
  const attributes = (element as unknown as { openingElement: { attributes: Node[] } }).openingElement.attributes;
  return attributes.find((a) => a.type === "JSXAttribute" && (a as unknown as { name: { name: string } }).name.name === attribute) ?? null;
}

function stringValue(node: Node | null | undefined): string | null {
  if (!node) return null;
  if (node.type === "StringLiteral" || node.type === "Literal") return typeof node.value === "string" ? node.value : null;
  if (node.type === "JSXExpressionContainer") return stringValue(node.expression as Node);
  if (node.type === "TemplateLiteral" && (node.expressions as unknown[]).length === 0) {
    return ((node.quasis as { value: { cooked: string } }[])[0]?.value.cooked) ?? null;
  }
  return null;
}

function routePathOfJsx(element: Node): string | null {
  const attribute = jsxAttribute(element, "path");
  return attribute ? stringValue(attribute.value as Node) : null;
}

function elementOfJsx(element: Node): Node | null {
  const attribute = jsxAttribute(element, "element");
  const value = attribute?.value as Node | undefined;
  return value?.type === "JSXExpressionContainer" ? (value.expression as Node) : null;
}

function objectProperty(object: Node, key: string): Node | null {
  for (const property of (object.properties as Node[]) ?? []) {
    if (property.type !== "ObjectProperty" && property.type !== "Property") continue;
    const k = property.key as Node;
    const name = k.type === "Identifier" ? (k.name as string) : stringValue(k);
    if (name === key) return property.value as Node;
  }
  return null;
}

function parseRoutes(block: string): RouteSpec[] | string {
  const fragment = parseModule(`<>\n${block}\n</>;`);
  const expression = ((fragment?.program as { body: Node[] } | undefined)?.body[0]?.expression ?? null) as Node | null;
  if (!expression || expression.type !== "JSXFragment") return "the routes block is not JSX";
  const routes: RouteSpec[] = [];
  for (const child of expression.children as Node[]) {
    if (child.type === "JSXText" && String(child.value).trim() === "") continue;
    const path = child.type === "JSXElement" && jsxName(child) === "Route" ? routePathOfJsx(child) : null;
    const element = child.type === "JSXElement" ? elementOfJsx(child) : null;
    if (path === null || element === null) return `the routes block has something other than <Route path="…" element={…} />: ${print(child).slice(0, 80)}`;
    routes.push({ path, elementSource: print(element), jsx: detach(child), element: detach(element) });
  }
  return routes;
}

function parseImports(block: string): ImportSpec[] | string {
  const module = parseModule(block);
  if (!module) return "the route-imports block does not parse";
  const imports: ImportSpec[] = [];
  for (const statement of (module.program as { body: Node[] }).body) {
    if (statement.type !== "ImportDeclaration") return "the route-imports block has something other than imports";
    for (const specifier of statement.specifiers as Node[]) {
      imports.push({ source: String((statement.source as Node).value), local: String((specifier.local as Node).name), node: detach(statement) });
    }
  }
  return imports;
}

/** Where routes go: a JSX children list, or an array of route objects. */
type Container = { kind: "jsx"; element: Node } | { kind: "objects"; array: Node };

/** The routes of a container, each with its path and the node to remove. */
function routesIn(container: Container): { path: string | null; elementSource: string | null; node: Node; children: Container | null }[] {
  if (container.kind === "jsx") {
    return (container.element.children as Node[])
      .filter((child) => child.type === "JSXElement" && jsxName(child) === "Route")
      .map((child) => {
        const element = elementOfJsx(child);
        const hasChildren = (child.children as Node[]).some((c) => c.type === "JSXElement");
        return { path: routePathOfJsx(child), elementSource: element ? print(element) : null, node: child, children: hasChildren ? { kind: "jsx", element: child } : null };
      });
  }
  return (container.array.elements as Node[])
    .filter((element) => element?.type === "ObjectExpression")
    .map((object) => {
      const element = objectProperty(object, "element");
      const children = objectProperty(object, "children");
      return {
        path: stringValue(objectProperty(object, "path")),
        elementSource: element ? print(element) : null,
        node: object,
        children: children?.type === "ArrayExpression" ? { kind: "objects", array: children } : null,
      };
    });
}

/** Every route below a container (nested layouts included). */
function allRoutes(container: Container): ReturnType<typeof routesIn> {
  return routesIn(container).flatMap((route) => [route, ...(route.children ? allRoutes(route.children) : [])]);
}

/** The app's route tree: `<Routes>`, `createRoutesFromElements(<Route>…)`, or `createBrowserRouter([...])` (and its kin). */
function findRouteTree(ast: Node): Container | string {
  const found: Container[] = [];
  recast.visit(ast, {
    visitJSXElement(path) {
      const node = path.node as unknown as Node;
      if (jsxName(node) === "Routes") found.push({ kind: "jsx", element: node });
      this.traverse(path);
    },
    visitCallExpression(path) {
      const callee = print(path.node.callee);
      const first = path.node.arguments[0] as Node | undefined;
      if (/^create(Browser|Hash|Memory)Router$/.test(callee) && first?.type === "ArrayExpression") found.push({ kind: "objects", array: first });
      if (callee === "createRoutesFromElements" && first && jsxName(first) === "Route") {
        found.push({ kind: "jsx", element: first });
        return false;
      }
      this.traverse(path);
    },
  });
  if (found.length === 0) return "it has no <Routes> element, no createRoutesFromElements(<Route>…) and no createBrowserRouter([...]) call";
  if (found.length > 1) return `it has ${found.length} route trees (<Routes> or createBrowserRouter), and which one the integration's pages belong in is not clear`;
  return found[0]!;
}

/**
 * Where new routes go in the tree: inside the layout route that wraps the app's pages (a route with child routes
 * and path "/" or no path), else at the top of the tree.
 */
function insertionContainer(tree: Container): Container | string {
  const layouts = routesIn(tree).filter((route) => route.children && (route.path === null || route.path === "/"));
  if (layouts.length > 1) {
    return `it has ${layouts.length} layout routes (${layouts.map((r) => r.elementSource ?? "no element").join(", ")}), and which one the integration's pages belong in is not clear`;
  }
  return layouts[0] ? insertionContainer(layouts[0].children!) : tree;
}

function indentOf(text: string, node: Node): string {
  const line = (node.loc as { start: { line: number } } | null)?.start.line;
  if (!line) return "";
  return /^\s*/.exec(text.split("\n")[line - 1] ?? "")![0];
}

function insertRoute(text: string, container: Container, route: RouteSpec): void {
  const existing = routesIn(container);
  const catchAll = existing.find((r) => r.path === "*");
  if (container.kind === "jsx") {
    const children = container.element.children as Node[];
    const sibling = existing[0]?.node;
    const indent = sibling ? indentOf(text, sibling) : `${indentOf(text, container.element)}  `;
    const at = catchAll ? children.indexOf(catchAll.node) : children.length;
    if (catchAll) children.splice(at, 0, route.jsx, b.jsxText(`\n${indent}`) as unknown as Node);
    else {
      const last = children[children.length - 1];
      const closingIndent = indentOf(text, container.element);
      if (last?.type === "JSXText" && /^\s*$/.test(String(last.value))) children.pop();
      children.push(b.jsxText(`\n${indent}`) as unknown as Node, route.jsx, b.jsxText(`\n${closingIndent}`) as unknown as Node);
    }
    return;
  }
  const object = b.objectExpression([
    b.objectProperty(b.identifier("path"), b.stringLiteral(route.path)),
    b.objectProperty(b.identifier("element"), route.element as never),
  ]) as unknown as Node;
  const elements = container.array.elements as Node[];
  elements.splice(catchAll ? elements.indexOf(catchAll.node) : elements.length, 0, object);
}

function importedLocals(ast: Node): Map<string, { source: string; declaration: Node; specifier: Node }> {
  const locals = new Map<string, { source: string; declaration: Node; specifier: Node }>();
  for (const statement of (ast.program as { body: Node[] }).body) {
    if (statement.type !== "ImportDeclaration") continue;
    for (const specifier of statement.specifiers as Node[]) {
      locals.set(String((specifier.local as Node).name), { source: String((statement.source as Node).value), declaration: statement, specifier });
    }
  }
  return locals;
}

function prepare(source: string, wirings: RouteWiring[]): { ast: Node; tree: Container; routes: RouteSpec[]; imports: ImportSpec[] } | string {
  const ast = parseModule(source);
  if (!ast) return "it does not parse as TypeScript + JSX";
  const tree = findRouteTree(ast);
  if (typeof tree === "string") return tree;
  const routes: RouteSpec[] = [];
  const imports: ImportSpec[] = [];
  for (const wiring of wirings) {
    const r = parseRoutes(wiring.routes);
    if (typeof r === "string") return r;
    const i = parseImports(wiring.imports);
    if (typeof i === "string") return i;
    routes.push(...r);
    imports.push(...i);
  }
  return { ast, tree, routes, imports };
}

/** Adds the routes and their imports; a route already there with the same element is left as it is. */
export function wireRoutes(source: string, wirings: RouteWiring[]): WireResult {
  const prepared = prepare(source, wirings);
  if (typeof prepared === "string") return { ok: false, reason: prepared };
  const { ast, tree, routes, imports } = prepared;
  const locals = importedLocals(ast);
  for (const spec of imports) {
    const bound = locals.get(spec.local);
    if (bound && bound.source !== spec.source) return { ok: false, reason: `it already imports ${spec.local} from "${bound.source}", not from "${spec.source}"` };
  }
  const present = allRoutes(tree);
  const container = insertionContainer(tree);
  if (typeof container === "string") return { ok: false, reason: container };
  let changed = false;
  for (const route of routes) {
    const same = present.find((r) => r.path === route.path);
    if (same && same.elementSource === route.elementSource) continue;
    if (same) return { ok: false, reason: `it already routes ${route.path} to ${same.elementSource ?? "something else"}` };
    insertRoute(source, container, route);
    changed = true;
  }
  let text = changed ? print(ast) : source;
  // Imports go in as lines after the app's last import (recast would set a statement it did not parse apart
  // with blank lines).
  const lines: string[] = [];
  for (const spec of imports) {
    const line = print(spec.node);
    if (!locals.has(spec.local) && !lines.includes(line)) lines.push(line);
  }
  if (lines.length > 0) {
    const program = babelParse(text, { sourceType: "module", plugins: ["jsx", "typescript"] }).program;
    const lastImport = program.body.filter((statement) => statement.type === "ImportDeclaration").pop();
    // After the whole line of the last import (a trailing comment stays with its import).
    const lineEnd = lastImport ? text.indexOf("\n", lastImport.end ?? 0) : -1;
    const at = lastImport ? (lineEnd === -1 ? text.length : lineEnd) : 0;
    text = lastImport ? `${text.slice(0, at)}\n${lines.join("\n")}${text.slice(at)}` : `${lines.join("\n")}\n${text}`;
    changed = true;
  }
  return { ok: true, text, changed };
}

/** What `unwireRoutes` did: the file without the routes and imports, and what it could not find as it was added. */
export interface UnwireResult {
  text: string;
  /** Routes no longer as they were added (edited or gone): left alone. */
  edited: string[];
}

/** Takes out exactly the routes (same path and element) and the imports nothing else in the file uses. */
export function unwireRoutes(source: string, wirings: RouteWiring[]): UnwireResult | { reason: string } {
  const prepared = prepare(source, wirings);
  if (typeof prepared === "string") return { reason: prepared };
  const { ast, tree, routes, imports } = prepared;
  const edited: string[] = [];
  let changed = false;
  const removeFrom = (container: Container, route: RouteSpec): boolean => {
    for (const existing of routesIn(container)) {
      if (existing.path === route.path && existing.elementSource === route.elementSource) {
        if (container.kind === "jsx") {
          const children = container.element.children as Node[];
          const index = children.indexOf(existing.node);
          const before = children[index - 1];
          const removeText = before?.type === "JSXText" && /^\s*$/.test(String(before.value));
          children.splice(removeText ? index - 1 : index, removeText ? 2 : 1);
        } else {
          const elements = container.array.elements as Node[];
          elements.splice(elements.indexOf(existing.node), 1);
        }
        return true;
      }
      if (existing.children && removeFrom(existing.children, route)) return true;
    }
    return false;
  };
  for (const route of routes) {
    if (removeFrom(tree, route)) changed = true;
    else edited.push(route.path);
  }
  // An import goes when nothing left in the file names it.
  const locals = importedLocals(ast);
  for (const spec of imports) {
    const bound = locals.get(spec.local);
    if (!bound || bound.source !== spec.source || usesOf(ast, spec.local) > 0) continue;
    const declaration = bound.declaration;
    const specifiers = declaration.specifiers as Node[];
    specifiers.splice(specifiers.indexOf(bound.specifier), 1);
    if (specifiers.length === 0) {
      const body = (ast.program as { body: Node[] }).body;
      body.splice(body.indexOf(declaration), 1);
    }
    changed = true;
  }
  return { text: changed ? print(ast) : source, edited };
}

/** How often a name is used in the file, its import aside. */
function usesOf(ast: Node, name: string): number {
  let uses = 0;
  recast.visit(ast, {
    visitImportDeclaration() {
      return false;
    },
    visitIdentifier(path) {
      if (path.node.name === name) uses++;
      this.traverse(path);
    },
    visitJSXIdentifier(path) {
      if (path.node.name === name) uses++;
      this.traverse(path);
    },
  });
  return uses;
}

/** The paths of the wirings' routes that the file routes already (to any element). */
export function routedPaths(source: string, wirings: RouteWiring[]): string[] {
  const prepared = prepare(source, wirings);
  if (typeof prepared === "string") return [];
  const present = new Set(allRoutes(prepared.tree).map((route) => route.path));
  return prepared.routes.map((route) => route.path).filter((p) => present.has(p));
}

/** Whether the file's routes can be wired (for messages): null when they can, else why not. */
export function routeTreeProblem(source: string): string | null {
  const ast = parseModule(source);
  if (!ast) return "it does not parse as TypeScript + JSX";
  const tree = findRouteTree(ast);
  return typeof tree === "string" ? tree : null;
}
