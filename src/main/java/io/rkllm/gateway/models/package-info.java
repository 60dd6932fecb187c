/**
 * The models a client can name: the catalogue of {@code .rkllm} files in {@code rkllm.model-dir} with their sidecar
 * files, and the resident set that loads them on demand, one load or unload at a time, with one
 * {@code RkllmRuntime} (handle, worker thread) per loaded model.
 */
@NullMarked
package io.rkllm.gateway.models;

import org.jspecify.annotations.NullMarked;
