/** The service's settings, as immutable {@code @ConfigurationProperties} records, and the beans built from them. */
@NullMarked
package io.rkllm.gateway.config;

import org.jspecify.annotations.NullMarked;
