package io.rkllm.gateway.nativebridge;

import java.lang.reflect.Field;
import java.util.Objects;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import io.rkllm.gateway.nativebridge.binding.RKLLMExtendParam;
import org.jspecify.annotations.Nullable;

/**
 * Copies {@link ModelParams} into and out of an {@code RKLLMParam} of either ABI generation. Both generations name
 * their fields alike and differ only in which exist, so one mapping by name serves both and cannot drift: a set value
 * whose field the loaded generation lacks is refused, never dropped.
 */
final class ParamStructMapper {

    private ParamStructMapper() {
    }

    /** Writes every set field of {@code params} into {@code param} (an {@code RKLLMParam}) and its extension. */
    static void write(ModelParams params, Structure param, AbiGeneration generation) {
        RKLLMExtendParam extend = extendOf(param);
        params.forEachSet((field, value) -> {
            Slot slot = slotOf(param, extend, field.name());
            if (slot == null) {
                throw new InvalidParameterException(field.name(), "is not supported by runtime " + generation.label());
            }
            set(slot, value);
        });
        set(Objects.requireNonNull(slotOf(param, extend, "is_async")), Boolean.FALSE);
    }

    /** Reads an {@code RKLLMParam} (after {@code read()}) into {@link ModelParams}; absent fields stay null. */
    static ModelParams read(Structure param) {
        RKLLMExtendParam extend = extendOf(param);
        return ModelParams.of((field) -> {
            Slot slot = slotOf(param, extend, field.name());
            return (slot != null) ? get(slot, field.type()) : null;
        });
    }

    /** Where the C field {@code name} is: in the {@code RKLLMParam}, in its extension, or nowhere. */
    private static @Nullable Slot slotOf(Structure param, RKLLMExtendParam extend, String name) {
        Field field = fieldOf(param, name);
        if (field != null) {
            return new Slot(param, field);
        }
        field = fieldOf(extend, name);
        return (field != null) ? new Slot(extend, field) : null;
    }

    private static RKLLMExtendParam extendOf(Structure param) {
        try {
            return (RKLLMExtendParam) param.getClass().getField("extend_param").get(param);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalArgumentException(param.getClass().getName() + " is no RKLLMParam", ex);
        }
    }

    private static @Nullable Field fieldOf(Structure struct, String name) {
        try {
            return struct.getClass().getField(name);
        }
        catch (NoSuchFieldException ex) {
            return null;
        }
    }

    private static void set(Slot slot, Object value) {
        Structure owner = slot.owner();
        Field field = slot.field();
        try {
            Class<?> type = field.getType();
            if (type == byte.class) {
                field.setByte(owner, (value instanceof Boolean flag) ? (byte) (flag ? 1 : 0)
                        : ((Integer) value).byteValue());
            }
            else if (type == Pointer.class) {
                field.set(owner, NativeStrings.utf8((String) value));
            }
            else {
                field.set(owner, value);
            }
        }
        catch (IllegalAccessException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static @Nullable Object get(Slot slot, Class<?> target) {
        Structure owner = slot.owner();
        Field field = slot.field();
        try {
            Class<?> type = field.getType();
            if (type == byte.class) {
                byte raw = field.getByte(owner);
                return (target == Boolean.class) ? Boolean.valueOf(raw != 0) : Integer.valueOf(raw & 0xFF);
            }
            if (type == Pointer.class) {
                return NativeStrings.read((Pointer) field.get(owner));
            }
            return field.get(owner);
        }
        catch (IllegalAccessException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A public field of a struct. */
    private record Slot(Structure owner, Field field) {
    }

}
