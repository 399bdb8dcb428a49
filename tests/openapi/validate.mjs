// Validates an OpenAPI 3 document (a JSON file) with swagger-parser: every $ref resolves (no
// external ones: the document stands alone) and the document matches the official OpenAPI
// JSON schema of its version (3.0 or 3.1). swagger-parser's rules beyond the schema apply to
// Swagger 2.0 only, so two rules of the OpenAPI 3 text are checked here after it: operationIds
// are unique, and the path parameters of each operation are exactly the path's {template} names.
//
//   node tests/openapi/validate.mjs FILE
// prints "valid: <title> <version>, N paths" and exits 0, or prints the error and exits 1.
// Test-only (tests/e2e/openapi_e2e_test.cpp, docs/API.md); the server never runs node.
import { readFile } from "node:fs/promises";

import SwaggerParser from "@apidevtools/swagger-parser";

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// JSON pointers of the $refs that leave the document: it is served alone, so there is nothing
// for them to point at (and swagger-parser is told not to fetch them).
function externalRefs(value, pointer = "#", out = []) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => externalRefs(v, `${pointer}/${i}`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      const at = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      if (key === "$ref" && typeof v === "string" && !v.startsWith("#")) out.push(`${at} ${v}`);
      else externalRefs(v, at, out);
    }
  }
  return out;
}

// Rules of the OpenAPI 3 text that its JSON schema cannot express. `api` is dereferenced.
function checkSpecRules(api) {
  const errors = [];
  const operationIds = new Map();
  for (const [path, item] of Object.entries(api.paths ?? {})) {
    const templates = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const inPath = (params) => (params ?? []).filter((p) => p && p.in === "path").map((p) => p.name);
    const pathLevel = inPath(item.parameters);
    for (const method of methods) {
      const operation = item[method];
      if (!operation) continue;
      const where = `#/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}`;
      if (operation.operationId !== undefined) {
        const first = operationIds.get(operation.operationId);
        if (first) {
          errors.push(`${where} operationId '${operation.operationId}' is already used by ${first}`);
        } else {
          operationIds.set(operation.operationId, where);
        }
      }
      const declared = new Set([...pathLevel, ...inPath(operation.parameters)]);
      for (const name of templates) {
        if (!declared.has(name)) errors.push(`${where} has no path parameter for {${name}}`);
      }
      for (const name of declared) {
        if (!templates.includes(name)) {
          errors.push(`${where} declares path parameter '${name}' that is not in the path`);
        }
      }
    }
  }
  if (errors.length > 0) {
    throw new SyntaxError(`OpenAPI rules failed.\n${errors.map((e) => `  ${e}`).join("\n")}`);
  }
}

async function main(argv) {
  if (argv.length !== 1) {
    console.error("usage: node validate.mjs FILE");
    return 2;
  }
  const file = argv[0];
  let document;
  try {
    document = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    console.error(`invalid: ${file}: ${error.message}`);
    return 1;
  }
  if (typeof document?.openapi !== "string" || !document.openapi.startsWith("3.")) {
    console.error(`invalid: ${file}: "openapi" must name an OpenAPI 3 version, got ${JSON.stringify(document?.openapi)}`);
    return 1;
  }
  const external = externalRefs(document);
  if (external.length > 0) {
    console.error(`invalid: ${file}: external $refs are not allowed (the document is served alone):\n` +
                  external.map((e) => `  ${e}`).join("\n"));
    return 1;
  }
  try {
    // swagger-parser dereferences the object it is given; it gets its own copy.
    const api = await SwaggerParser.validate(structuredClone(document), {
      resolve: { external: false },
    });
    checkSpecRules(api);
    const paths = Object.keys(api.paths ?? {}).length;
    console.log(`valid: ${api.info.title} ${api.info.version}, ${paths} paths`);
    return 0;
  } catch (error) {
    console.error(`invalid: ${file}: ${error.message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
