/**
 * Several boards as one endpoint ({@code rkllm.cluster.mode: redis}): a Redis stream per model as the queue that every
 * board claims from while it is idle, a Redis stream per session as its log that every gateway reads, heartbeats that
 * tell which boards are alive, and aborts over pub/sub. Nothing here is built in the local mode.
 */
@NullMarked
package io.rkllm.gateway.cluster;

import org.jspecify.annotations.NullMarked;
