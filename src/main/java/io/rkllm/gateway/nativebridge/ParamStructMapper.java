package io.rkllm.gateway.nativebridge;

import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;

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
        for (RecordComponent component : ModelParams.class.getRecordComponents()) {
            Object value = valueOf(component, params);
            if (value == null) {
                continue;
            }
            String name = ModelParams.cFieldName(component.getName());
            Field field = fieldOf(param, name);
            Structure owner = param;
            if (field == null) {
                field = fieldOf(extend, name);
                owner = extend;
            }
            if (field == null) {
                throw new InvalidParameterException(name, "is not supported by runtime " + generation.label());
            }
            set(owner, field, value);
        }
        set(param, fieldOf(param, "is_async"), Boolean.FALSE);
    }

    /** Reads an {@code RKLLMParam} (after {@code read()}) into {@link ModelParams}; absent fields stay null. */
    static ModelParams read(Structure param) {
        RKLLMExtendParam extend = extendOf(param);
        RecordComponent[] components = ModelParams.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            String name = ModelParams.cFieldName(components[i].getName());
            types[i] = components[i].getType();
            Field field = fieldOf(param, name);
            Structure owner = param;
            if (field == null) {
                field = fieldOf(extend, name);
                owner = extend;
            }
            values[i] = (field != null) ? get(owner, field, types[i]) : null;
        }
        try {
            return ModelParams.class.getDeclaredConstructor(types).newInstance(values);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("Cannot build ModelParams", ex);
        }
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

    private static @Nullable Object valueOf(RecordComponent component, ModelParams params) {
        try {
            return component.getAccessor().invoke(params);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void set(Structure owner, @Nullable Field field, Object value) {
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

    private static @Nullable Object get(Structure owner, Field field, Class<?> target) {
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

}
