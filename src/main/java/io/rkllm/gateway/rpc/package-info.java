/**
 * JSON-RPC 2.0: the wire types, the dispatcher with its registry of methods, and the method handlers grouped by
 * concern. The registry also documents itself ({@code rkllm_list_functions}, {@code rpc.discover}).
 */
@NullMarked
package io.rkllm.gateway.rpc;

import org.jspecify.annotations.NullMarked;
