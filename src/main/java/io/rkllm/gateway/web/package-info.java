/** The HTTP routes: JSON-RPC at {@code /rpc} (and {@code /}), Server-Sent Events at {@code /streams/{id}}. */
@NullMarked
package io.rkllm.gateway.web;

import org.jspecify.annotations.NullMarked;
