package dev.gantry.translate;

import dev.gantry.model.ObjectKey;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns IR records into a tree of maps, lists and scalars for the golden files: record components in declaration
 * order, a {@code type} entry naming the variant of a sealed interface, null and empty values left out.
 *
 * <p>Key material never appears: a component named {@code ...Pem} is rendered as a digest (so a changed
 * certificate still shows in the diff), or as {@code <redacted>} when it holds a private key.
 */
final class IrYaml {

    static final String REDACTED = "<redacted>";

    private IrYaml() {}

    /** The tree of an IR value. */
    static Object tree(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Enum<?> constant) {
            return constant.name();
        }
        if (value instanceof Duration || value instanceof ObjectKey) {
            return value.toString();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(IrYaml::tree).toList();
        }
        if (value instanceof Record record) {
            return recordTree(record);
        }
        // Sets and maps have no stable order, and other classes no rendering we chose: the IR holds neither today,
        // so failing here keeps the golden files deterministic when the IR grows.
        throw new IllegalArgumentException(
                "no golden rendering for " + value.getClass().getName());
    }

    private static Map<String, Object> recordTree(Record record) {
        Map<String, Object> tree = new LinkedHashMap<>();
        Class<?> type = record.getClass();
        if (Arrays.stream(type.getInterfaces()).anyMatch(Class::isSealed)) {
            tree.put("type", type.getSimpleName());
        }
        for (RecordComponent component : type.getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + type.getName() + "." + component.getName(), e);
            }
            if (value instanceof String pem && component.getName().endsWith("Pem")) {
                value = keyMaterial(component.getName(), pem);
            }
            Object child = tree(value);
            if (child == null
                    || child instanceof Collection<?> c && c.isEmpty()
                    || child instanceof Map<?, ?> m && m.isEmpty()) {
                continue;
            }
            tree.put(component.getName(), child);
        }
        return tree;
    }

    private static String keyMaterial(String name, String pem) {
        if (name.toLowerCase().contains("key")) {
            return REDACTED;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(pem.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
