package io.rkllm.gateway.nativebridge;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The components of a record of nullable fields, found by reflection once and kept in declaration order: the one
 * table through which such a record is read, built and merged, so that no other class walks it.
 */
final class RecordFields<R extends Record> {

    private final Class<R> type;

    private final List<RecordComponent> components;

    private final Method[] accessors;

    private final Constructor<R> canonical;

    private RecordFields(Class<R> type) {
        this.type = type;
        this.components = List.of(type.getRecordComponents());
        this.accessors = this.components.stream().map(RecordComponent::getAccessor).toArray(Method[]::new);
        try {
            this.canonical = type.getDeclaredConstructor(
                    this.components.stream().map(RecordComponent::getType).toArray(Class<?>[]::new));
        }
        catch (NoSuchMethodException ex) {
            throw new IllegalStateException("No canonical constructor in " + type.getSimpleName(), ex);
        }
    }

    static <R extends Record> RecordFields<R> of(Class<R> type) {
        return new RecordFields<>(type);
    }

    /** The components in declaration order, which is the order of the canonical constructor's arguments. */
    List<RecordComponent> components() {
        return this.components;
    }

    /** The value of the component at {@code index}. */
    @Nullable Object get(R record, int index) {
        try {
            return this.accessors[index].invoke(record);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("Cannot read " + this.components.get(index).getName(), ex);
        }
    }

    /** A record of {@code values}, one per component in declaration order. */
    R create(@Nullable Object[] values) {
        try {
            return this.canonical.newInstance(values);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("Cannot build " + this.type.getSimpleName() + " of "
                    + Arrays.toString(values), ex);
        }
    }

    /** {@code value}'s fields where set, {@code defaults}' fields elsewhere. */
    R merge(R value, R defaults) {
        Object[] merged = new Object[this.components.size()];
        for (int i = 0; i < merged.length; i++) {
            Object own = get(value, i);
            merged[i] = (own != null) ? own : get(defaults, i);
        }
        return create(merged);
    }

}
