package io.rkllm.gateway.nativebridge;

import java.lang.reflect.Field;

import com.sun.jna.Structure;
import org.jspecify.annotations.Nullable;

/**
 * One public field of one JNA struct, found by its C name. The ABI generations name their shared fields alike in
 * structs of different classes, so code that fills either generation's struct reaches the fields this way.
 */
record StructField(Structure owner, Field field) {

    /** The field {@code name} of {@code owner}; it must exist. */
    static StructField of(Structure owner, String name) {
        StructField found = find(owner, name);
        if (found == null) {
            throw new IllegalStateException(owner.getClass().getName() + " has no field " + name);
        }
        return found;
    }

    /** The field {@code name} of {@code owner}, or null when its struct has none. */
    static @Nullable StructField find(Structure owner, String name) {
        try {
            return new StructField(owner, owner.getClass().getField(name));
        }
        catch (NoSuchFieldException ex) {
            return null;
        }
    }

    /** The field's Java type. */
    Class<?> type() {
        return this.field.getType();
    }

    /** The Java value (JNA reads native memory into it only on {@code read()}). */
    @Nullable Object get() {
        try {
            return this.field.get(this.owner);
        }
        catch (IllegalAccessException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Sets the Java value, which JNA writes to native memory on the next {@code write()} or call. */
    void set(@Nullable Object value) {
        try {
            this.field.set(this.owner, value);
        }
        catch (IllegalAccessException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
