package io.rkllm.gateway.stream;

import java.util.concurrent.CompletableFuture;

import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.nativebridge.RunRequest;

/**
 * Where runs get their model's runtime: it names the models, loads them on demand and unloads them when they are
 * idle. Each accepted run holds a {@link ModelLease} from before it queues until its session ends, which keeps its
 * model loaded meanwhile.
 */
public interface ModelHost {

    /**
     * A lease on the model {@code request} names (null: the default). Refuses what no model could run (the library
     * not loaded, a field its ABI cannot carry), a name that is no model (-32602) and a model whose load failed
     * (-32003), with the exception the client is to be told.
     */
    ModelLease acquire(RunRequest request);

    /** The id of the model used when a request names none. */
    String defaultModel();

    /** One runtime, always granted at once: the service as it is with a single model. */
    static ModelHost fixed(RkllmRuntime runtime) {
        return new ModelHost() {

            @Override
            public ModelLease acquire(RunRequest request) {
                runtime.check(request);
                CompletableFuture<RkllmRuntime> granted = CompletableFuture.completedFuture(runtime);
                return new ModelLease() {

                    @Override
                    public String modelId() {
                        return defaultModel();
                    }

                    @Override
                    public CompletableFuture<RkllmRuntime> runtime() {
                        return granted;
                    }

                    @Override
                    public void release() {
                    }

                };
            }

            @Override
            public String defaultModel() {
                return "default";
            }

        };
    }

}
