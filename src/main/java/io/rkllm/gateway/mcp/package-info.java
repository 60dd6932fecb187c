/**
 * MCP (Model Context Protocol) over Streamable HTTP: the tools an agent calls, as a thin adapter over the stream
 * manager's seam and the JSON-RPC registry, on the official MCP Java SDK.
 */
@NullMarked
package io.rkllm.gateway.mcp;

import org.jspecify.annotations.NullMarked;
