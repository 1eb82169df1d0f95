#!/usr/bin/env node
// Serves the Chart.js live price page on 127.0.0.1 and streams one price per
// second to it as Server-Sent Events. Node.js standard library only.
//
// Usage: node server.js [--port N] [--tick-ms MS]
// Prints "chartjs-page: listening on http://127.0.0.1:PORT" once it accepts
// connections; --port 0 (the default) picks a free port.

'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const HISTORY_LENGTH = 60;
const START_CENTS = 100_00;

const FILES = {
  '/': { file: path.join(__dirname, 'index.html'), type: 'text/html; charset=utf-8' },
  '/chart.umd.js': {
    file: path.join(__dirname, 'node_modules', 'chart.js', 'dist', 'chart.umd.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

function parseArguments(argv) {
  const options = { port: 0, tickMs: 1000 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = Number(argv[i + 1]);
    if (name === '--port' && Number.isInteger(value) && value >= 0 && value <= 65535) {
      options.port = value;
    } else if (name === '--tick-ms' && Number.isInteger(value) && value >= 10) {
      options.tickMs = value;
    } else {
      throw new Error(`invalid argument ${name} ${argv[i + 1] ?? '(missing value)'}: ` +
                      'expected --port 0..65535 or --tick-ms 10 or more');
    }
  }
  return options;
}

// Mulberry32: a small seeded generator, so every run draws the same walk.
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A random walk in integer cents: each step moves at most 25 cents and never
// goes below one dollar.
class PriceWalk {
  constructor(seed) {
    this.random = seededRandom(seed);
    this.cents = START_CENTS;
  }

  next() {
    const step = Math.round((this.random() - 0.5) * 50);
    this.cents = Math.max(1_00, this.cents + step);
    return this.cents;
  }
}

class PriceFeed {
  constructor(tickMs) {
    this.tickMs = tickMs;
    this.walk = new PriceWalk(20240601);
    this.clients = new Set();
    this.history = [];
    // Backfill one minute of prices so a page that connects right after the
    // start has a full chart at once, as the desktop app reads its stored quotes.
    const now = Date.now();
    for (let i = HISTORY_LENGTH - 1; i >= 0; --i)
      this.history.push({ timeMs: now - i * tickMs, cents: this.walk.next() });
  }

  start() {
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  tick() {
    const price = { timeMs: Date.now(), cents: this.walk.next() };
    this.history.push(price);
    if (this.history.length > HISTORY_LENGTH)
      this.history.shift();
    for (const response of this.clients)
      response.write(`event: price\ndata: ${JSON.stringify(price)}\n\n`);
  }

  subscribe(request, response) {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    response.write(`event: history\ndata: ${JSON.stringify(this.history)}\n\n`);
    this.clients.add(response);
    request.on('close', () => this.clients.delete(response));
  }
}

function serveFile(response, entry) {
  fs.readFile(entry.file, (error, body) => {
    if (error) {
      console.error(`chartjs-page: failed to read ${entry.file} (${error.message}). ` +
                    'Run npm ci in bench/peers/chartjs-page.');
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`failed to read ${path.basename(entry.file)}\n`);
      return;
    }
    response.writeHead(200, { 'Content-Type': entry.type, 'Cache-Control': 'no-store' });
    response.end(body);
  });
}

function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`chartjs-page: ${error.message}`);
    process.exit(2);
  }

  const feed = new PriceFeed(options.tickMs);
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`method ${request.method} not allowed; use GET or HEAD\n`);
      return;
    }
    if (url.pathname === '/prices') {
      feed.subscribe(request, response);
      return;
    }
    const entry = FILES[url.pathname];
    if (!entry) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`${url.pathname} not found; the paths are /, /chart.umd.js and /prices\n`);
      return;
    }
    serveFile(response, entry);
  });

  server.on('error', (error) => {
    console.error(`chartjs-page: failed to listen on 127.0.0.1:${options.port} (${error.message})`);
    process.exit(1);
  });
  server.listen(options.port, '127.0.0.1', () => {
    feed.start();
    console.log(`chartjs-page: listening on http://127.0.0.1:${server.address().port}`);
  });

  const shutDown = () => {
    clearInterval(feed.timer);
    for (const response of feed.clients)
      response.end();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', shutDown);
  process.on('SIGINT', shutDown);
}

main();
