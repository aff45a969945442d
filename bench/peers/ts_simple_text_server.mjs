// Benchmark peer: the official TypeScript SDK (@modelcontextprotocol/sdk, McpServer
// over StdioServerTransport) serving the conformance tool test_simple_text with the
// same payload as `weft serve --stdio --conformance-fixture`.
// The SDK is loaded from the test-clients cache named by WEFT_TEST_CLIENTS
// (installed by scripts/test-clients.sh); run it with that cache's Node 22.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const cache = process.env.WEFT_TEST_CLIENTS;
if (!cache) {
  process.stderr.write('ts_simple_text_server: set WEFT_TEST_CLIENTS (see scripts/test-clients.sh)\n');
  process.exit(2);
}
const require = createRequire(path.join(cache, 'package.json'));
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
const { StdioServerTransport } = require('@modelcontextprotocol/sdk/server/stdio.js');
// The package's export map hides its package.json, so read it by path.
const sdkVersion = JSON.parse(readFileSync(
  path.join(cache, 'node_modules/@modelcontextprotocol/sdk/package.json'), 'utf8')).version;

const server = new McpServer({ name: 'ts-sdk-simple-text', version: sdkVersion });
server.registerTool(
  'test_simple_text',
  { description: 'Returns a fixed text response (conformance suite contract).' },
  async () => ({
    content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
  }),
);
await server.connect(new StdioServerTransport());
