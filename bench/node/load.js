// Load generator for bench/ws_bench.py: simulated players on the room protocol, in Node so the
// generator (pinned to its own core) is never the bottleneck of the server under test.
//
//   node load.js <plan.json>
// plan: {"active": [[url, userId, protocols], ...], "idle": [[url, protocols], ...],
//        "seconds": 10, "origin": "...", "deflate": false}
// (protocols: ["chancetap.v1", "bearer.<jwt>"] — the token never goes in the URL;
//  deflate: offer permessage-deflate, as browsers do)
// stdout, one JSON line per phase: {"phase":"held",...}, {"phase":"go"}, {"phase":"done",...}.
// Each player sends {"type":"taps","count":2,"timestamp":ms} every 200 ms and records, per
// packet, the time until a `progress` frame shows its count.
const fs = require("fs");
const WebSocket = require("ws");

// 2 taps per 200 ms = 10 taps/s, a fast human. (At 20+ taps/s a server stalled for a few hundred
// ms receives a player's queued packets in a burst and, judging by its own clock as the rules
// say, may flag them: > 50 taps in 2 s.)
const TAPS = 2;
const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const stats = { held: 0, heldFailed: 0, connected: 0, failed: 0, packets: 0, progress: 0 };
const latencies = [];
const sockets = [];

function open(url, protocols) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, {
      origin: plan.origin,
      perMessageDeflate: Boolean(plan.deflate),
    });
    ws.once("open", () => resolve(ws));
    ws.once("error", () => resolve(null));
  });
}

async function holdIdle() {
  for (let i = 0; i < plan.idle.length; i += 200) {
    const batch = await Promise.all(
      plan.idle.slice(i, i + 200).map(([url, protocols]) => open(url, protocols)),
    );
    for (const ws of batch) {
      if (ws) {
        stats.held += 1;
        sockets.push(ws);
        ws.on("message", () => {});
      } else stats.heldFailed += 1;
    }
  }
}

async function player(url, uid, protocols, seconds) {
  const ws = await open(url, protocols);
  if (!ws) {
    stats.failed += 1;
    return null;
  }
  stats.connected += 1;
  const key = String(uid);
  const sent = []; // [cumulative count, sent at]
  let total = 0;
  ws.on("message", (data) => {
    const text = data.toString();
    if (!text.startsWith('{"type":"progress"')) return;
    stats.progress += 1;
    const seen = JSON.parse(text).counts[key] || 0;
    const now = performance.now();
    while (sent.length && sent[0][0] <= seen) latencies.push(now - sent.shift()[1]);
  });
  return () =>
    new Promise((resolve) => {
      const end = performance.now() + seconds * 1000;
      const timer = setInterval(() => {
        if (performance.now() >= end) {
          clearInterval(timer);
          setTimeout(() => resolve(ws), 500);
          return;
        }
        total += TAPS;
        sent.push([total, performance.now()]);
        ws.send(JSON.stringify({ type: "taps", count: TAPS, timestamp: Date.now() }));
        stats.packets += 1;
      }, 200);
    });
}

function quantile(sorted, q) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

(async () => {
  await holdIdle();
  await new Promise((r) => setTimeout(r, 2000));
  say({ phase: "held", held: stats.held, failed: stats.heldFailed });
  const starts = [];
  for (let i = 0; i < plan.active.length; i += 200) {
    const batch = plan.active
      .slice(i, i + 200)
      .map(([url, uid, protocols]) => player(url, uid, protocols, plan.seconds));
    starts.push(...(await Promise.all(batch)));
  }
  await new Promise((r) => setTimeout(r, 1000));
  stats.progress = 0;
  latencies.length = 0;
  say({ phase: "go", connected: stats.connected, failed: stats.failed });
  const began = performance.now();
  // Stagger the players over one 200 ms period, as real clients are.
  const runs = starts
    .filter(Boolean)
    .map((start, i) => new Promise((r) => setTimeout(() => r(start()), (i * 7) % 200)));
  const done = await Promise.all((await Promise.all(runs)));
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  say({
    phase: "done",
    elapsed,
    held: stats.held,
    connected: stats.connected,
    failed: stats.failed + stats.heldFailed,
    packets_s: stats.packets / elapsed,
    progress_s: stats.progress / elapsed,
    samples: latencies.length,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
  });
  for (const ws of [...sockets, ...done]) ws.terminate();
  process.exit(0);
})();
