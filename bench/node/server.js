// Baseline for `make bench`: the same room protocol as ws/rooms/<id>/ (taps in, one coalesced
// `progress` per room per 100 ms out), with no auth, no anti-cheat and no Redis — the floor a
// WebSocket server on this machine can reach.
const http = require("http");
const { WebSocketServer } = require("ws");

const port = Number(process.argv[2] || 8790);
const rooms = new Map(); // roomId -> { counts: Map, sockets: Set, dirty: bool }

function room(id) {
  if (!rooms.has(id)) rooms.set(id, { counts: new Map(), sockets: new Set(), dirty: false });
  return rooms.get(id);
}

const server = http.createServer((req, res) => res.end("ok"));
// Answer the same subprotocol as the real server (the client also offers bearer.<jwt>).
const wss = new WebSocketServer({
  server,
  handleProtocols: (protocols) => (protocols.has("chancetap.v1") ? "chancetap.v1" : false),
});
wss.on("connection", (ws, req) => {
  const url = new URL(req.url, "http://x");
  const id = Number(url.pathname.split("/")[3]);
  const player = url.searchParams.get("player");
  const r = room(id);
  r.sockets.add(ws);
  ws.send(JSON.stringify({ type: "state", room: { id, phase: "playing" }, counts: Object.fromEntries(r.counts) }));
  ws.on("message", (data) => {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return ws.send(JSON.stringify({ type: "error", code: "frame_invalid" }));
    }
    if (frame.type === "taps" && Number.isInteger(frame.count) && frame.count >= 1 && frame.count <= 20) {
      r.counts.set(player, (r.counts.get(player) || 0) + frame.count);
      r.dirty = true;
      ws.send(JSON.stringify({ type: "ack", taps: r.counts.get(player) }));
    }
  });
  ws.on("close", () => r.sockets.delete(ws));
});

setInterval(() => {
  for (const [id, r] of rooms) {
    if (!r.dirty) continue;
    r.dirty = false;
    const frame = JSON.stringify({ type: "progress", room_id: id, counts: Object.fromEntries(r.counts) });
    for (const ws of r.sockets) ws.send(frame);
  }
}, 100);

server.listen(port, "127.0.0.1");
