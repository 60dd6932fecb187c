/** The structs and functions whose layout is that of runtime 1.2.1–1.2.3 (headers of release-v1.2.1 to v1.2.3). */
package io.rkllm.gateway.nativebridge.binding.v1_2;
