// One MCP session with the gateway through the official TypeScript SDK client, as an agent would hold it. Run by
// McpTypeScriptClientTest: node session.mjs <port>. Prints what it saw as one JSON object; the test judges it.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const port = process.argv[2];
const base = `http://localhost:${port}`;
const FAST = '[[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=40]]';
const LONG = '[[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=100000]]';

async function rpc(method, params = {}) {
  const response = await fetch(`${base}/rpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await response.json()).result;
}

const textOf = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('');

const client = new Client({ name: 'rkllm-gateway-mcp-check', version: '0.1.0' });
const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
const report = {};
try {
  await client.connect(transport);
  report.server = client.getServerVersion();
  report.protocolVersion = transport.protocolVersion;

  const { tools } = await client.listTools();
  report.tools = Object.fromEntries(tools.map((tool) => [tool.name, tool.inputSchema]));

  const deltas = [];
  const streamed = await client.callTool({ name: 'generate', arguments: { prompt: `STREAMED ${FAST}` } },
      undefined, { onprogress: (p) => deltas.push({ progress: p.progress, message: p.message }) });
  report.streamed = { text: textOf(streamed), structured: streamed.structuredContent, deltas };

  // A long generation, cancelled by the client (AbortSignal: the SDK sends notifications/cancelled).
  const abort = new AbortController();
  let updates = 0;
  const cancelled = client.callTool({ name: 'generate', arguments: { prompt: `CANCELLED ${LONG}`,
      max_new_tokens: 100000 } }, undefined, { signal: abort.signal, onprogress: () => {
    if (++updates === 5) {
      abort.abort('enough');
    }
  } }).then(() => 'answered', (error) => `rejected: ${error}`);
  report.cancelled = { outcome: await cancelled };
  const start = performance.now();
  let running = true;
  while (running && performance.now() - start < 5000) {
    running = (await rpc('rkllm_is_running')).running;
  }
  report.cancelled.stillRunning = running;
  report.cancelled.stoppedAfterMs = Math.round(performance.now() - start);

  const next = await client.callTool({ name: 'generate', arguments: { prompt: `NEXT ${FAST}` } });
  report.next = { text: textOf(next), structured: next.structuredContent };
}
catch (error) {
  report.error = String(error?.stack ?? error);
}
finally {
  await client.close().catch(() => {});
}
console.log(JSON.stringify(report));
