package io.rkllm.gateway.rpc;

import java.util.List;

/** A group of methods for the registry; each group is a bean, and the dispatcher collects them all. */
public interface RpcMethodProvider {

    List<RpcMethod> rpcMethods();

}
