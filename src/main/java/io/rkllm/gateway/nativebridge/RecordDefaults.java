package io.rkllm.gateway.nativebridge;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;

/** Merges two records of nullable fields: the first one's values where set, the second one's elsewhere. */
final class RecordDefaults {

    private RecordDefaults() {
    }

    static <R extends Record> R merge(R value, R defaults) {
        try {
            RecordComponent[] components = value.getClass().getRecordComponents();
            Object[] merged = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                Object own = components[i].getAccessor().invoke(value);
                merged[i] = (own != null) ? own : components[i].getAccessor().invoke(defaults);
                types[i] = components[i].getType();
            }
            @SuppressWarnings("unchecked")
            Constructor<R> canonical = (Constructor<R>) value.getClass().getDeclaredConstructor(types);
            return canonical.newInstance(merged);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("Cannot merge " + value.getClass().getSimpleName(), ex);
        }
    }

}
