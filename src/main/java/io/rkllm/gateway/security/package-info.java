/**
 * Who may call the service and how much: API keys and their roles, the signed tokens of stream URLs, CORS for web
 * pages on other origins, the error answers of refused requests in each API's shape, JSON-only POSTs and the bounds
 * on open connections.
 */
@NullMarked
package io.rkllm.gateway.security;

import org.jspecify.annotations.NullMarked;
