// A minimal quote stream on the npm ws package, the popular peer that
// bench/valiantbench/fanout.py compares valiant-server's stream with. It
// does the same job as GET /api/v1/stream for clients without a token:
//
// - on connect it sends {"latest_id":N,"server_time":"…","type":"hello"};
// - every tick, aligned to the wall clock, it makes one quote
//   {"created":"…","id":N,"price":"50.40","type":"quote"} (the keys in the
//   order valiant-server writes them, so messages have the same size) and
//   sends the one serialized buffer to every open client;
// - it pings every 20 s and terminates a client that sent no pong since the
//   previous ping, and terminates a client with more than 1024 messages
//   waiting in the ws send buffer, as valiant-server drops slow clients.
//
// It keeps no database and no history, so it is a lower bound for the work
// of a stream server.
//
//   node server.js --port PORT [--tick-ms 1000]
// Prints "listening on ws://127.0.0.1:PORT" once it accepts connections.

'use strict';

const { WebSocketServer, WebSocket } = require('ws');

const PING_INTERVAL_MS = 20000;
const MAX_QUEUED_MESSAGES = 1024;

function parseArguments(argv) {
  const options = { port: 0, tickMs: 1000 };
  for (let i = 2; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (flag === '--port' && Number.isInteger(value) && value >= 0 && value <= 65535) {
      options.port = value;
    } else if (flag === '--tick-ms' && Number.isInteger(value) && value >= 10) {
      options.tickMs = value;
    } else {
      console.error(`ws-broadcast: invalid argument ${flag} ${argv[i + 1]}: ` +
                    'expected --port 0..65535 and --tick-ms of at least 10.');
      process.exit(2);
    }
  }
  return options;
}

// A random walk of at most 2 % per tick in whole cents, floored at $1.00.
// The message size matches valiant-server's; the walk itself need not.
function nextPriceCents(cents) {
  const changed = Math.round(cents * (1 + (Math.random() * 4 - 2) / 100));
  return Math.max(100, changed);
}

function formatPrice(cents) {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

const options = parseArguments(process.argv);
const server = new WebSocketServer({ host: '127.0.0.1', port: options.port, path: '/api/v1/stream' });
let latestId = 0;
let priceCents = 5000;

server.on('connection', (socket) => {
  socket.isAlive = true;
  socket.on('pong', () => { socket.isAlive = true; });
  socket.on('error', () => socket.terminate());
  const hello = { latest_id: latestId > 0 ? latestId : null,
                  server_time: new Date().toISOString(), type: 'hello' };
  socket.send(JSON.stringify(hello));
});

function broadcast(tickMs) {
  latestId += 1;
  priceCents = nextPriceCents(priceCents);
  const quote = { created: new Date(tickMs).toISOString(), id: latestId,
                  price: formatPrice(priceCents), type: 'quote' };
  // Serialized once and sent to everyone as a text frame from the same buffer.
  const message = Buffer.from(JSON.stringify(quote));
  const limit = MAX_QUEUED_MESSAGES * message.length;
  for (const client of server.clients) {
    if (client.readyState !== WebSocket.OPEN) {
      continue;
    }
    if (client.bufferedAmount > limit) {
      client.terminate();
      continue;
    }
    client.send(message, { binary: false });
  }
}

// One quote per tick period, even when broadcasting a quote takes longer
// than a period: a late tick is made at once rather than skipped, and its
// created time is the time it was due. So an overloaded peer shows its
// delay instead of sending fewer, later quotes. valiant-server makes its
// quotes on a thread of their own, so its quote rate does not depend on the
// fan-out either. The timer's own lateness, about a millisecond, counts
// against the peer.
let nextTickMs = 0;

function scheduleTick() {
  setTimeout(() => {
    broadcast(nextTickMs);
    nextTickMs += options.tickMs;
    scheduleTick();
  }, Math.max(0, nextTickMs - Date.now()));
}

setInterval(() => {
  for (const client of server.clients) {
    if (!client.isAlive) {
      client.terminate();
      continue;
    }
    client.isAlive = false;
    client.ping();
  }
}, PING_INTERVAL_MS);

server.on('listening', () => {
  console.log(`listening on ws://127.0.0.1:${server.address().port}`);
  nextTickMs = (Math.floor(Date.now() / options.tickMs) + 1) * options.tickMs;
  scheduleTick();
});

function shutDown() {
  for (const client of server.clients) {
    client.close(1001);
  }
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
