#!/usr/bin/env node
// Validates an OpenAPI document (JSON or YAML file) against the OpenAPI schema of its version
// (3.1 for Sluice's /openapi.json), checks that every local $ref resolves, and checks every
// Schema Object against the JSON Schema 2020-12 meta-schema (the OpenAPI schema itself lets
// any object through as a Schema Object).
// Usage: node test/integration/serve/validate-openapi.cjs FILE
// Exits 0 when valid, 1 with the errors when not, 2 when it cannot run (no file, no module).
"use strict";

const MODULE = "@seriousme/openapi-schema-validator";

// Returns the Schema Objects of a document (JSON pointer and schema): components.schemas and
// every `schema` of parameters, media types and headers.
function schemaObjects(node, pointer, found) {
  if (node === null || typeof node !== "object") return found;
  for (const [key, value] of Object.entries(node)) {
    const path = `${pointer}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;
    const isSchema = key === "schema" || pointer === "/components/schemas";
    if (isSchema && value !== null && typeof value === "object") {
      found.push([path, value]);
    } else {
      schemaObjects(value, path, found);
    }
  }
  return found;
}

// Returns the errors of the Schema Objects of `document` against JSON Schema 2020-12.
function schemaErrors(document) {
  const Ajv2020 = require("ajv/dist/2020").default;
  const ajv = new Ajv2020({ strict: false });
  const errors = [];
  for (const [path, schema] of schemaObjects(document, "", [])) {
    if (!ajv.validateSchema(schema)) errors.push({ path, errors: ajv.errors });
  }
  return errors;
}

async function main(file) {
  if (!file) {
    console.error("usage: node validate-openapi.cjs FILE");
    return 2;
  }
  let Validator;
  try {
    ({ Validator } = await import(MODULE));
  } catch (error) {
    console.error(`validate-openapi: cannot load ${MODULE} (${error.message}); ` +
                  "run scripts/bootstrap (npm install) at the repository root");
    return 2;
  }
  const validator = new Validator();
  const result = await validator.validate(file);
  if (!result.valid) {
    console.error(`${file}: not a valid OpenAPI ${validator.version || ""} document:`);
    console.error(JSON.stringify(result.errors, null, 2));
    return 1;
  }
  try {
    validator.resolveRefs();
  } catch (error) {
    console.error(`${file}: a $ref does not resolve: ${error.message}`);
    return 1;
  }
  const errors = schemaErrors(validator.specification);
  if (errors.length > 0) {
    console.error(`${file}: Schema Objects that are not JSON Schema 2020-12:`);
    console.error(JSON.stringify(errors, null, 2));
    return 1;
  }
  console.log(`${file}: valid OpenAPI ${validator.version}`);
  return 0;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`validate-openapi: ${error.stack || error}`);
    process.exit(2);
  });
