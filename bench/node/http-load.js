// HTTP load generator for bench/leaderboards_bench.py (the API's requests per second): in Node,
// pinned to its own core, so the generator is not the bottleneck of the server under test.
//
//   node http-load.js <plan.json>
// plan: {"port": 8000, "path": "/api/v1/me", "tokens": ["<jwt>", ...], "concurrency": 32,
//        "seconds": 5, "warmup": 1}
// Keeps `concurrency` keep-alive connections busy for `warmup` + `seconds` seconds, each request
// with the next token in turn (the per-user throttle applies as in production), and prints one
// JSON line: {"requests", "rps", "p50", "p95", "p99" (ms), "statuses": {"200": n, ...}} over the
// measured seconds only.
const fs = require("fs");
const http = require("http");

const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
const latencies = [];
const statuses = {};
let next = 0;
let measuring = false;
let stopped = false;

function once() {
  return new Promise((resolve) => {
    const token = plan.tokens[next++ % plan.tokens.length];
    const started = process.hrtime.bigint();
    const request = http.request(
      {
        host: "127.0.0.1",
        port: plan.port,
        path: plan.path,
        agent,
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      },
      (response) => {
        response.resume();
        response.on("end", () => {
          if (measuring) {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            statuses[response.statusCode] = (statuses[response.statusCode] || 0) + 1;
          }
          resolve();
        });
      },
    );
    request.on("error", () => {
      if (measuring) statuses.error = (statuses.error || 0) + 1;
      resolve();
    });
    request.end();
  });
}

async function loop() {
  while (!stopped) await once();
}

function quantile(sorted, q) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  const loops = Array.from({ length: plan.concurrency }, loop);
  await new Promise((r) => setTimeout(r, (plan.warmup || 0) * 1000));
  measuring = true;
  const started = Date.now();
  await new Promise((r) => setTimeout(r, plan.seconds * 1000));
  measuring = false;
  const elapsed = (Date.now() - started) / 1000;
  stopped = true;
  await Promise.all(loops);
  agent.destroy();
  const sorted = latencies.slice().sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  process.stdout.write(
    JSON.stringify({
      requests: sorted.length,
      rps: Math.round(sorted.length / elapsed),
      p50: round(quantile(sorted, 0.5)),
      p95: round(quantile(sorted, 0.95)),
      p99: round(quantile(sorted, 0.99)),
      statuses,
    }) + "\n",
  );
}

main();
