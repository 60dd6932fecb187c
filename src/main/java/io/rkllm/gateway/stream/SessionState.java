package io.rkllm.gateway.stream;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a session stands: {@code QUEUED → RUNNING → FINISHED | ABORTED | FAILED}, or {@code EVICTED}. */
public enum SessionState {

    QUEUED, RUNNING, FINISHED, ABORTED, FAILED, EVICTED;

    /** Whether output may still come. */
    public boolean isActive() {
        return this == QUEUED || this == RUNNING;
    }

    /** Lower case, as on the wire. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

}
