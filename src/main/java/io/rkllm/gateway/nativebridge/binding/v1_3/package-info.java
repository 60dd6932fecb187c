/** The structs and functions whose layout is that of runtime 1.3.0 (header of release-v1.3.0), an ABI break. */
package io.rkllm.gateway.nativebridge.binding.v1_3;
