package io.rkllm.gateway.nativebridge;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Native;
import io.rkllm.gateway.nativebridge.binding.v1_3.RkllmLibraryV13;

/**
 * The simulator's 1.3 library with a fault to inject: the next call of a named function throws what the test chose,
 * the way a JNA error or an exhausted heap would, instead of reaching C. Every other call goes to the simulator.
 */
final class FaultyLibrary {

    private final Map<String, Throwable> faults = new ConcurrentHashMap<>();

    private final RkllmLibraryV13 library;

    FaultyLibrary() {
        RkllmLibraryV13 real = Native.load(Simulator.library(AbiGeneration.V1_3).toString(), RkllmLibraryV13.class,
                AbiAdapter.LIBRARY_OPTIONS);
        this.library = (RkllmLibraryV13) Proxy.newProxyInstance(RkllmLibraryV13.class.getClassLoader(),
                new Class<?>[] { RkllmLibraryV13.class }, (proxy, method, args) -> {
                    Throwable fault = this.faults.remove(method.getName());
                    if (fault != null) {
                        throw fault;
                    }
                    try {
                        return method.invoke(real, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    /** The next call of {@code function} throws {@code fault}. */
    FaultyLibrary failNext(String function, Throwable fault) {
        this.faults.put(function, fault);
        return this;
    }

    /** A runtime on this library, its start-up initialisation of the simulator model over (whatever its outcome). */
    RkllmRuntime open() {
        RkllmRuntime runtime = RkllmRuntime.open(
                new LoadedLibrary(Simulator.library(AbiGeneration.V1_3), new AbiAdapterV13(this.library), null),
                ModelParams.forModel(Simulator.model().toString()), CallbackObserver.NONE);
        runtime.initialization().orTimeout(10, TimeUnit.SECONDS).join();
        return runtime;
    }

}
