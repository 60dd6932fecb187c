package io.rkllm.gateway.models;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a model of the catalogue stands: unloaded, loading, ready, unloading, or failed. */
public enum ModelState {

    /** Not in memory; the next request for it loads it. */
    UNLOADED,

    /** {@code rkllm_init} is under way. */
    LOADING,

    /** Loaded: its runs go to its own handle and queue. */
    READY,

    /** {@code rkllm_destroy} is under way. */
    UNLOADING,

    /** Its last load failed; its requests are refused with the reason until its file changes or an admin loads it. */
    FAILED;

    /** Whether the model holds (or is taking or giving back) memory and a place among the residents. */
    boolean resident() {
        return this == LOADING || this == READY || this == UNLOADING;
    }

    /** Lower case, as on the wire. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

}
