// The Mini App's WebSocket frame types, generated from the server's committed frame schema.
//   node scripts/ws-types.mjs          write src/ws-frames.ts
//   node scripts/ws-types.mjs --check  fail when it is stale (make lint)
import fs from "node:fs";
import { compile } from "json-schema-to-typescript";
import * as prettier from "prettier";

const target = "src/ws-frames.ts";
const schema = JSON.parse(
  fs.readFileSync(new URL("../../../docs/ws-frames.json", import.meta.url), "utf8"),
);
const banner = [
  "/** Generated from docs/ws-frames.json by scripts/ws-types.mjs (npm run ws-types). Do not edit. */",
  "",
  "// Bodies the REST API renders too (rooms, profiles, payments) keep their OpenAPI types.",
  'import type { components } from "./api-schema";',
].join("\n");
const ts = await compile(schema, "WsFrame", {
  bannerComment: banner,
  additionalProperties: false,
  format: false,
});
const options = { ...(await prettier.resolveConfig(target)), filepath: target };
const text = await prettier.format(ts, options);

if (process.argv.includes("--check")) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
  if (current !== text) {
    console.error(`${target} is stale: the frames changed; run make schema (or npm run ws-types)`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(target, text);
}
