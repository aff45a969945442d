// Benchmark peer: the official TypeScript SDK (@modelcontextprotocol/sdk,
// McpServer over StreamableHTTPServerTransport) serving the conformance tool
// test_simple_text over Streamable HTTP with the same payload as
// `weft serve --http ... --conformance-fixture`.
//
// Configuration, following the SDK's own examples (simpleStatelessStreamableHttp,
// jsonResponseStreamableHttp) and README:
// - createMcpExpressApp() from the SDK (express is a dependency of the SDK,
//   so nothing extra is installed), POST /mcp, bound to 127.0.0.1: the
//   documented way, with its Host-header DNS-rebinding check, which weft
//   also does.
// - Stateless (sessionIdGenerator: undefined) with a fresh McpServer and
//   transport per request, as the SDK requires for stateless transports.
//   This is the SDK's plain request/response mode: no session bookkeeping.
// - enableJsonResponse: true, so each call is answered with one
//   application/json body rather than an SSE stream, the analogue of a
//   server replying to a request in one response.
// `--stateful` keeps one McpServer and transport per Mcp-Session-Id instead
// (still JSON responses), and `--node-http` serves from node:http without
// express (and so without its Host check); both exist to check that the
// default does not flatter either side.
//
//   node ts_http_server.mjs [--port N] [--stateful] [--node-http]
//
// Prints "ts_http_server: listening on http://127.0.0.1:PORT/mcp" on stderr
// when ready (port 0, the default, picks a free one). The SDK is loaded from
// the test-clients cache named by WEFT_TEST_CLIENTS (scripts/test-clients.sh);
// run it with that cache's Node 22.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const usage = 'usage: ts_http_server.mjs [--port N] [--stateful] [--node-http]\n';
const cache = process.env.WEFT_TEST_CLIENTS;
if (!cache) {
  process.stderr.write('ts_http_server: set WEFT_TEST_CLIENTS (see scripts/test-clients.sh)\n');
  process.exit(2);
}
let port = 0;
let stateful = false;
let nodeHttp = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--port' && /^[0-9]+$/.test(args[i + 1] ?? '')) port = Number(args[++i]);
  else if (args[i] === '--stateful') stateful = true;
  else if (args[i] === '--node-http') nodeHttp = true;
  else {
    process.stderr.write(usage);
    process.exit(2);
  }
}

const require = createRequire(path.join(cache, 'package.json'));
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
const { StreamableHTTPServerTransport } = require('@modelcontextprotocol/sdk/server/streamableHttp.js');
const { createMcpExpressApp } = require('@modelcontextprotocol/sdk/server/express.js');
const { isInitializeRequest } = require('@modelcontextprotocol/sdk/types.js');
// The package's export map hides its package.json, so read it by path.
const sdkVersion = JSON.parse(readFileSync(
  path.join(cache, 'node_modules/@modelcontextprotocol/sdk/package.json'), 'utf8')).version;

const TEXT = 'This is a simple text response for testing.';

function newServer() {
  const server = new McpServer({ name: 'ts-sdk-simple-text', version: sdkVersion });
  server.registerTool(
    'test_simple_text',
    { description: 'Returns a fixed text response (conformance suite contract).' },
    async () => ({ content: [{ type: 'text', text: TEXT }] }),
  );
  return server;
}

function sendError(res, status, code, message) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

// Stateless: a fresh server and transport for every request.
async function handleStateless(req, res, body) {
  const server = newServer();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on('close', () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

// Stateful: one server and transport per session, created by initialize.
const sessions = new Map();
async function handleStateful(req, res, body) {
  const id = req.headers['mcp-session-id'];
  let transport = id ? sessions.get(id) : undefined;
  if (!transport) {
    if (id || req.method !== 'POST' || !isInitializeRequest(body)) {
      sendError(res, id ? 404 : 400, -32000, id ? 'Session not found' : 'No valid session ID');
      return;
    }
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (sid) => sessions.set(sid, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await newServer().connect(transport);
  }
  await transport.handleRequest(req, res, body);
}

const handle = stateful ? handleStateful : handleStateless;
async function serve(req, res, body) {
  try {
    await handle(req, res, body);
  } catch (error) {
    process.stderr.write(`ts_http_server: ${error?.stack ?? error}\n`);
    if (!res.headersSent) sendError(res, 500, -32603, 'Internal server error');
  }
}

let listener;
if (nodeHttp) {
  // Parses JSON bodies the way express.json() does for the express app.
  listener = http.createServer((req, res) => {
    if (req.url !== '/mcp') {
      sendError(res, 404, -32000, 'Not found');
    } else if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          sendError(res, 400, -32700, 'Parse error');
          return;
        }
        serve(req, res, body);
      });
    } else if (stateful) {
      serve(req, res, undefined);
    } else {
      sendError(res, 405, -32000, 'Method not allowed.');
    }
  });
} else {
  const app = createMcpExpressApp();
  app.post('/mcp', (req, res) => serve(req, res, req.body));
  const other = (req, res) => (stateful ? serve(req, res, undefined)
    : sendError(res, 405, -32000, 'Method not allowed.'));
  app.get('/mcp', other);
  app.delete('/mcp', other);
  listener = http.createServer(app);
}
listener.listen(port, '127.0.0.1', () => {
  const mode = `${stateful ? 'stateful' : 'stateless'}, JSON responses, ${nodeHttp ? 'node:http' : 'express'}`;
  process.stderr.write(`ts_http_server: listening on http://127.0.0.1:${listener.address().port}/mcp (${mode})\n`);
});
