package io.rkllm.gateway.models;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rkllm.gateway.nativebridge.ModelParams;
import io.rkllm.gateway.rpc.ClientPaths;
import io.rkllm.gateway.rpc.GatewayException;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What a model file cannot say about itself, from the {@code <id>.yaml} beside it: {@code RKLLMParam} overrides, the
 * Hugging Face (Jinja) chat template, a default system prompt, LoRA adapters and other names for the model. The
 * service applies the overrides and loads the adapters; the template and system prompt are for the transports that
 * build prompts from chat messages.
 *
 * @param params {@code RKLLMParam} fields by their C names, over {@code rkllm.model.*}; never the model path
 * @param chatTemplate the Jinja chat template, as a Hugging Face {@code tokenizer_config.json} carries it
 * @param bosToken what the template's {@code bos_token} stands for (the {@code bos_token} of that file)
 * @param eosToken what the template's {@code eos_token} stands for (the {@code eos_token} of that file)
 * @param systemPrompt the system prompt to use when a chat brings none
 * @param loraAdapters adapters loaded with the model, paths inside {@code rkllm.model-dir}
 * @param aliases other names a request may give for the model
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelSidecar(ModelParams params, @Nullable String chatTemplate, @Nullable String bosToken,
        @Nullable String eosToken, @Nullable String systemPrompt, List<LoraAdapter> loraAdapters,
        List<String> aliases) {

    private static final List<String> KEYS = List.of("params", "chat_template", "bos_token", "eos_token",
            "system_prompt", "lora_adapters", "aliases");

    /** A model file is small text here; anything bigger is not a sidecar. */
    private static final long MAX_BYTES = 1024 * 1024;

    public ModelSidecar {
        loraAdapters = List.copyOf(loraAdapters);
        aliases = List.copyOf(aliases);
    }

    /** No sidecar: nothing overridden, no template, no adapter, no alias. */
    public static ModelSidecar none() {
        return new ModelSidecar(ModelParams.unset(), null, null, null, null, List.of(), List.of());
    }

    /**
     * Reads a sidecar; LoRA paths are taken inside {@code modelDir}. Fails with {@link IllegalArgumentException}
     * naming the key that is wrong, or with {@link IOException}.
     */
    public static ModelSidecar read(Path file, Path modelDir) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IllegalArgumentException("is larger than " + MAX_BYTES + " bytes");
        }
        Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
        catch (YAMLException ex) {
            throw new IllegalArgumentException("is not valid YAML: " + firstLine(ex.getMessage()));
        }
        if (root == null) {
            return none();
        }
        Map<String, Object> map = mapAt("the document", root);
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("has an unknown key '" + key + "' (known: " + KEYS + ")");
            }
        }
        return new ModelSidecar(params(map.get("params")), text("chat_template", map.get("chat_template")),
                text("bos_token", map.get("bos_token")), text("eos_token", map.get("eos_token")),
                text("system_prompt", map.get("system_prompt")),
                loraAdapters(map.get("lora_adapters"), new ClientPaths(modelDir, modelDir)),
                aliases(map.get("aliases")));
    }

    private static ModelParams params(@Nullable Object value) {
        if (value == null) {
            return ModelParams.unset();
        }
        Map<String, Object> given = mapAt("params", value);
        Map<String, ModelParams.Field> fields = new LinkedHashMap<>();
        ModelParams.fields().forEach((field) -> fields.put(field.name(), field));
        for (String name : given.keySet()) {
            if (!fields.containsKey(name) || "model_path".equals(name)) {
                throw new IllegalArgumentException("params: '" + name + "' is not an RKLLMParam field it may set");
            }
        }
        // Ranges are checked with the rest of the model's parameters when it loads.
        return ModelParams.of((field) -> convert("params." + field.name(), given.get(field.name()), field.type()));
    }

    private static @Nullable Object convert(String key, @Nullable Object value, Class<?> type) {
        if (value == null) {
            return null;
        }
        if (type == Integer.class && value instanceof Integer number) {
            return number;
        }
        if (type == Float.class && value instanceof Number number) {
            return number.floatValue();
        }
        if (type == Boolean.class && value instanceof Boolean flag) {
            return flag;
        }
        if (type == String.class && value instanceof String text) {
            return text;
        }
        throw new IllegalArgumentException(key + ": must be " + type.getSimpleName().toLowerCase(Locale.ROOT));
    }

    private static List<LoraAdapter> loraAdapters(@Nullable Object value, ClientPaths paths) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("lora_adapters: must be a list");
        }
        List<LoraAdapter> adapters = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "lora_adapters[" + i + "]";
            Map<String, Object> entry = mapAt(at, list.get(i));
            String name = required(at + ".name", entry.get("name"));
            String path = required(at + ".path", entry.get("path"));
            Object scale = convert(at + ".scale", entry.get("scale"), Float.class);
            try {
                adapters.add(new LoraAdapter(name, paths.model(at + ".path", path),
                        (scale != null) ? (Float) scale : 1.0f));
            }
            catch (GatewayException ex) {
                throw new IllegalArgumentException(ex.getMessage());
            }
        }
        return adapters;
    }

    private static List<String> aliases(@Nullable Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("aliases: must be a list of names");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            names.add(required("aliases[" + i + "]", list.get(i)));
        }
        return names;
    }

    private static @Nullable String text(String key, @Nullable Object value) {
        if (value != null && !(value instanceof String)) {
            throw new IllegalArgumentException(key + ": must be text");
        }
        return (String) value;
    }

    private static String required(String key, @Nullable Object value) {
        String text = text(key, value);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(key + ": is required");
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapAt(String key, Object value) {
        if (!(value instanceof Map<?, ?> map) || !map.keySet().stream().allMatch(String.class::isInstance)) {
            throw new IllegalArgumentException(key + ": must be a mapping of names to values");
        }
        return (Map<String, Object>) map;
    }

    private static String firstLine(@Nullable String message) {
        return (message != null) ? message.lines().findFirst().orElse("") : "";
    }

    /**
     * A LoRA adapter loaded with the model ({@code rkllm_load_lora}); runs pick it by name.
     *
     * @param path the adapter file, inside {@code rkllm.model-dir}
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LoraAdapter(String name, String path, float scale) {
    }

}
