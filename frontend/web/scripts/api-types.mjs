// The Mini App's API types, generated from the server's committed OpenAPI schema.
//   node scripts/api-types.mjs          write src/api-schema.ts
//   node scripts/api-types.mjs --check  fail when it is stale (make lint)
import fs from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import * as prettier from "prettier";

const target = "src/api-schema.ts";
const schema = new URL("../../../docs/openapi.yaml", import.meta.url);
const banner =
  "/** Generated from docs/openapi.yaml by scripts/api-types.mjs (npm run api-types). Do not edit. */\n\n";
const ast = await openapiTS(schema);
const options = { ...(await prettier.resolveConfig(target)), filepath: target };
const text = await prettier.format(banner + astToString(ast), options);

if (process.argv.includes("--check")) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
  if (current !== text) {
    console.error(`${target} is stale: the API changed; run make schema (or npm run api-types)`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(target, text);
}
