package io.rkllm.gateway.rpc;

import java.util.List;

import io.rkllm.gateway.models.ResidentModels;
import reactor.core.publisher.Mono;

/** The models: what the catalogue holds and what is loaded ({@code models_status}), and loading and unloading them. */
public class ModelMethods implements RpcMethodProvider {

    private static final List<ParamSpec> MODEL = List
        .of(ParamSpec.required("model", "string", "the model's id or alias"));

    private final ResidentModels models;

    public ModelMethods(ResidentModels models) {
        this.models = models;
    }

    @Override
    public List<RpcMethod> rpcMethods() {
        return List.of(
                RpcMethod.of("models_status",
                        "Every model of rkllm.model-dir: its state, when it was loaded and last used, until when it "
                                + "stays loaded idle, and how many runs hold it.",
                        List.of(), (call) -> Mono.fromSupplier(this.models::status)),
                new RpcMethod("model_load", "Loads a model (unloading the least recently used idle one when needed) "
                        + "and answers once it is loaded; retries a model whose last load failed.", MODEL,
                        RpcMethod.Gate.ADMIN,
                        (call) -> Mono.fromFuture(() -> this.models.load(call.params().requireCString("model")))),
                new RpcMethod("model_unload", "Unloads a model: at once when it is idle, else as soon as its runs "
                        + "have ended; answers with its state.", MODEL, RpcMethod.Gate.ADMIN,
                        (call) -> Mono.fromFuture(() -> this.models.unload(call.params().requireCString("model")))));
    }

}
