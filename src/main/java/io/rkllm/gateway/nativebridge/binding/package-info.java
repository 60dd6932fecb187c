/**
 * The JNA mirror of Rockchip's {@code rkllm.h}: one class per C struct with the C names kept, the callback interfaces
 * and the library interfaces. Structs whose layout differs between ABI generations live in {@code v1_2} (runtime
 * 1.2.1–1.2.3) and {@code v1_3} (runtime 1.3.0); the ones shared by both live here. This package stays dumb: no
 * Spring, no Reactor, no logic beyond the layout.
 */
package io.rkllm.gateway.nativebridge.binding;
