/**
 * The native bridge: loads {@code librkllmrt.so} (the real runtime or the simulator, without telling them apart),
 * picks the ABI generation, owns the model handle, runs {@code rkllm_run} on one worker thread and turns the native
 * callback into Java events.
 */
@NullMarked
package io.rkllm.gateway.nativebridge;

import org.jspecify.annotations.NullMarked;
