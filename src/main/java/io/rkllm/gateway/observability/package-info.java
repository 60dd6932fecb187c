/**
 * What an operator sees: the {@code rkllm} health indicator, the {@code streams} Actuator endpoint and the
 * {@code rkllm.*} meters.
 */
@NullMarked
package io.rkllm.gateway.observability;

import org.jspecify.annotations.NullMarked;
