package io.rkllm.gateway.nativebridge;

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
            StructField slot = slotOf(param, extend, field.name());
            if (slot == null) {
                throw new InvalidParameterException(field.name(), "is not supported by runtime " + generation.label());
            }
            set(slot, value);
        });
        set(StructField.of(param, "is_async"), Boolean.FALSE);
    }

    /** Reads an {@code RKLLMParam} (after {@code read()}) into {@link ModelParams}; absent fields stay null. */
    static ModelParams read(Structure param) {
        RKLLMExtendParam extend = extendOf(param);
        return ModelParams.of((field) -> {
            StructField slot = slotOf(param, extend, field.name());
            return (slot != null) ? get(slot, field.type()) : null;
        });
    }

    /** Where the C field {@code name} is: in the {@code RKLLMParam}, in its extension, or nowhere. */
    private static @Nullable StructField slotOf(Structure param, RKLLMExtendParam extend, String name) {
        StructField field = StructField.find(param, name);
        return (field != null) ? field : StructField.find(extend, name);
    }

    private static RKLLMExtendParam extendOf(Structure param) {
        return (RKLLMExtendParam) StructField.of(param, "extend_param").get();
    }

    private static void set(StructField slot, Object value) {
        Class<?> type = slot.type();
        if (type == byte.class) {
            slot.set((value instanceof Boolean flag) ? (byte) (flag ? 1 : 0) : ((Integer) value).byteValue());
        }
        else if (type == Pointer.class) {
            slot.set(NativeStrings.utf8((String) value));
        }
        else {
            slot.set(value);
        }
    }

    private static @Nullable Object get(StructField slot, Class<?> target) {
        Object raw = slot.get();
        if (slot.type() == byte.class) {
            byte value = (Byte) Objects.requireNonNull(raw);
            return (target == Boolean.class) ? Boolean.valueOf(value != 0) : Integer.valueOf(value & 0xFF);
        }
        return (slot.type() == Pointer.class) ? NativeStrings.read((Pointer) raw) : raw;
    }

}
