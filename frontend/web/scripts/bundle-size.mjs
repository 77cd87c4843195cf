#!/usr/bin/env node
// Print the gzip size of the built Mini App's JavaScript: what the first screen loads (the entry
// chunk and its static imports, read from index.html) and the lazy chunks (TON Connect…).
// Usage: node scripts/bundle-size.mjs [--max-first-kb 250]   (after `npm run build`)
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "static", "frontend");
const maxIndex = process.argv.indexOf("--max-first-kb");
const maxFirstKb = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : 250;

let html;
try {
  html = readFileSync(join(dist, "index.html"), "utf8");
} catch {
  console.error(`bundle-size: no build at ${dist}; run 'npm run build' first`);
  process.exit(2);
}

const gz = (file) => gzipSync(readFileSync(join(dist, "assets", file)), { level: 9 }).length;
const referenced = (source) =>
  [...source.matchAll(/assets\/([\w.-]+\.js)/g)].map((match) => match[1]);

// The first screen: scripts and modulepreloads in index.html, plus their static imports.
const first = new Set(referenced(html));
for (const file of [...first]) {
  const code = readFileSync(join(dist, "assets", file), "utf8");
  for (const match of code.matchAll(/^import\s*[^("']*["']\.\/([\w.-]+\.js)["']/gm))
    first.add(match[1]);
}
const all = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js"));
const kb = (bytes) => (bytes / 1024).toFixed(1);
let firstTotal = 0;
let lazyTotal = 0;
for (const file of all.sort()) {
  const size = gz(file);
  const isFirst = first.has(file);
  if (isFirst) firstTotal += size;
  else lazyTotal += size;
  console.log(`  ${isFirst ? "first" : "lazy "}  ${kb(size).padStart(7)} KB gzip  ${file}`);
}
console.log(`Mini App JS (gzip): first screen ${kb(firstTotal)} KB, lazy ${kb(lazyTotal)} KB`);
if (firstTotal > maxFirstKb * 1024) {
  console.error(`bundle-size: first screen is over ${maxFirstKb} KB`);
  process.exit(1);
}
