/** Who may call the service: CORS for web pages on other origins (API keys and per-client limits to come). */
@NullMarked
package io.rkllm.gateway.security;

import org.jspecify.annotations.NullMarked;
