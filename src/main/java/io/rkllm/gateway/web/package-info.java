/**
 * The HTTP routes: JSON-RPC at {@code /rpc} (and {@code /}) and over the WebSocket {@code /ws}, Server-Sent Events at
 * {@code /streams/{id}}.
 */
@NullMarked
package io.rkllm.gateway.web;

import org.jspecify.annotations.NullMarked;
