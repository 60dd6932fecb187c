/**
 * Sessions: one inference request and its output each, fed by the native callback into one sink per session and read
 * by any number of subscribers; the queue in front of the NPU; the eviction of idle sessions.
 */
@NullMarked
package io.rkllm.gateway.stream;

import org.jspecify.annotations.NullMarked;
