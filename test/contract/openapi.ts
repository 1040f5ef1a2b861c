import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { parseYamlSubset } from "./yaml.js";

/**
 * docs/admin-api.openapi.yaml as a checker: what the emulator answers and what the client sends are
 * held against the document's own schemas with ajv (JSON Schema 2020-12, which OpenAPI 3.1 uses).
 * Every exchange is checked by route, method and status; a status the document does not list for
 * that operation is itself a difference.
 */

export const OPENAPI_PATH = resolve(import.meta.dirname, "..", "..", "docs", "admin-api.openapi.yaml");
const ROOT_ID = "https://fanfare.invalid/admin-api";

type Json = any;

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json>; parameters: Record<string, Json> };
}

export function loadOpenApi(): OpenApiDocument {
  return parseYamlSubset(readFileSync(OPENAPI_PATH, "utf8")) as OpenApiDocument;
}

/** `#/components/schemas/X` → an absolute ref into the one schema ajv holds the components in. */
function absolutize(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(absolutize);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === "$ref" && typeof v === "string" ? v.replace(/^#\/components\/schemas\//, `${ROOT_ID}#/$defs/`) : absolutize(v);
  }
  return out;
}

export interface Exchange {
  method: string;
  /** The URL or the path from /api on, with its query. */
  url: string;
  requestBody?: unknown;
  status: number;
  /** undefined when the answer had no body. */
  responseBody?: unknown;
  responseHeaders?: Record<string, string | string[] | undefined>;
}

const METHODS = ["get", "post", "patch", "put", "delete"];

export class ContractChecker {
  readonly doc: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<object, ValidateFunction>();
  private readonly routes: Array<{ template: string; pattern: RegExp; item: Record<string, Json> }>;

  constructor(doc: OpenApiDocument = loadOpenApi()) {
    this.doc = doc;
    this.ajv = new Ajv2020({ allErrors: true, strict: true });
    // The same shape updatedAt and the other times are written in; `pattern` in the document says it too.
    this.ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    this.ajv.addSchema({ $id: ROOT_ID, $defs: absolutize(doc.components.schemas) });
    this.routes = Object.entries(doc.paths).map(([template, item]) => ({
      template,
      pattern: new RegExp("^" + template.replace(/\{[^}]+\}/g, "([^/]+)") + "$"),
      item,
    }));
  }

  /** Compiles (once) a schema from the document. */
  validator(schema: Json): ValidateFunction {
    let fn = this.compiled.get(schema);
    if (!fn) {
      fn = this.ajv.compile(absolutize(schema));
      this.compiled.set(schema, fn);
    }
    return fn;
  }

  /** Differences between one exchange and the document; empty when it conforms. */
  check(exchange: Exchange): string[] {
    return [...this.checkRequest(exchange), ...this.checkResponse(exchange)];
  }

  /** The request alone: a documented route and method, known query parameters, a body of the operation's schema. */
  checkRequest(exchange: Pick<Exchange, "method" | "url" | "requestBody">): string[] {
    const where = `${exchange.method} ${exchange.url}`;
    const { operation, pathParams, query, problem } = this.find(exchange.method, exchange.url);
    if (!operation) return [`${where}: ${problem}`];
    const problems: string[] = [];
    const params: Json[] = [...(operation.pathItem.parameters ?? []), ...(operation.op.parameters ?? [])].map((p: Json) => this.deref(p));
    for (const p of params.filter((p) => p.in === "path")) {
      const value = pathParams[p.name];
      if (value === undefined) problems.push(`${where}: path parameter ${p.name} missing`);
      else problems.push(...this.errors(p.schema, decodeURIComponent(value), `${where}: path parameter ${p.name}`));
    }
    const queryParams = params.filter((p) => p.in === "query");
    for (const [name, value] of query) {
      const p = queryParams.find((q) => q.name === name);
      if (!p) {
        problems.push(`${where}: query parameter ${name} is not in the document`);
        continue;
      }
      const typed = p.schema.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
      problems.push(...this.errors(p.schema, typed, `${where}: query parameter ${name}`));
    }
    const body = operation.op.requestBody;
    if (body) {
      if (exchange.requestBody === undefined) {
        if (body.required) problems.push(`${where}: the request body is required`);
      } else {
        problems.push(...this.errors(body.content["application/json"].schema, exchange.requestBody, `${where}: request body`));
      }
    } else if (exchange.requestBody !== undefined) {
      problems.push(`${where}: the document takes no request body here`);
    }
    return problems;
  }

  /** The answer alone, against the response the operation documents for its status. */
  checkResponse(exchange: Exchange): string[] {
    const where = `${exchange.method} ${exchange.url} → ${exchange.status}`;
    const method = exchange.method.toUpperCase() === "HEAD" ? "GET" : exchange.method;
    const { operation } = this.find(method, exchange.url);
    if (!operation) {
      // Outside any operation (an unknown route or method) the API still answers in its error shape.
      if (![401, 404, 405].includes(exchange.status)) return [`${where}: not a documented operation`];
      return this.bodyErrors(this.doc.components.schemas.Error, exchange, where);
    }
    const declared = operation.op.responses[String(exchange.status)] ?? operation.op.responses.default;
    if (!declared) return [`${where}: status ${exchange.status} is not documented for ${operation.op.operationId}`];
    const response = this.deref(declared);
    const problems: string[] = [];
    for (const name of Object.keys(response.headers ?? {})) {
      if (exchange.responseHeaders && exchange.responseHeaders[name.toLowerCase()] === undefined) {
        problems.push(`${where}: header ${name} missing`);
      }
    }
    const schema = response.content?.["application/json"]?.schema;
    if (!schema) {
      if (exchange.responseBody !== undefined) problems.push(`${where}: the document says no body`);
      return problems;
    }
    if (exchange.method.toUpperCase() === "HEAD") return problems;
    return [...problems, ...this.bodyErrors(schema, exchange, where)];
  }

  /** Every operationId in the document. */
  operationIds(): string[] {
    return this.routes.flatMap((r) => METHODS.filter((m) => r.item[m]).map((m) => r.item[m].operationId as string));
  }

  private bodyErrors(schema: Json, exchange: Exchange, where: string): string[] {
    if (exchange.responseBody === undefined) return [`${where}: a body is documented, none came`];
    return this.errors(schema, exchange.responseBody, `${where}: body`);
  }

  private errors(schema: Json, value: unknown, where: string): string[] {
    const validate = this.validator(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`);
  }

  private deref(value: Json): Json {
    let v = value;
    while (v && typeof v.$ref === "string" && v.$ref.startsWith("#/components/")) {
      const [, , kind, name] = v.$ref.split("/");
      v = (this.doc.components as Json)[kind][name];
    }
    return v;
  }

  private find(method: string, url: string): {
    operation?: { op: Json; pathItem: Json };
    pathParams: Record<string, string>;
    query: URLSearchParams;
    problem?: string;
  } {
    const parsed = new URL(url, "http://api.invalid/api/");
    const path = parsed.pathname.replace(/^.*?\/api(?=\/)/, "");
    const query = parsed.searchParams;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!);
      const pathParams = Object.fromEntries(names.map((n, i) => [n, m[i + 1]!]));
      const op = route.item[method.toLowerCase()];
      if (!op) return { pathParams, query, problem: `${method} is not documented for ${route.template}` };
      return { operation: { op, pathItem: route.item }, pathParams, query };
    }
    return { pathParams: {}, query, problem: `no documented path matches ${path}` };
  }
}
