package dev.gantry.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.pgv.ValidationException;
import io.envoyproxy.pgv.ValidatorImpl;
import io.envoyproxy.pgv.ValidatorIndex;
import io.envoyproxy.pgv.validate.Validate;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks Envoy resources against the field rules in Envoy's own {@code .proto} files: the protoc-gen-validate
 * (PGV) annotations that Envoy enforces on every resource it receives, rejecting the whole update when one fails.
 * The rules run as Java validators that the build generates from the very {@code .proto} files of the Envoy API
 * artifact Gantry builds its messages with. A resource this class accepts passes those field rules; Envoy checks
 * more when it applies a resource (references between resources, regular expressions that must compile, and so on).
 *
 * <p>The stock PGV runtime validates one message and whatever its validators reach on their own: it neither
 * opens {@code google.protobuf.Any} nor descends into messages of files without rules. This class walks every
 * set message field itself (singular, repeated and map values), runs the generated validator of each message
 * type that has rules, and unpacks every {@code Any} whose type is one of {@link EnvoyJson#PACKED_MESSAGES} to
 * walk what it holds. An {@code Any} of any other type is a violation: Gantry emits only types it knows. So is a
 * message whose type has rules but no generated validator (its {@code .proto} file is missing from the generation
 * list in {@code common/pom.xml}): its rules would otherwise go unchecked. Fields Envoy's rules mark
 * {@code skip} are not walked.
 *
 * <p>A violation names the resource and the path of the field inside it, with {@code [i]} for list items,
 * {@code [key]} for map values and {@code (Type)} for the content of an {@code Any}, for example
 * {@code filter_chains[0].filters[0].typed_config(HttpConnectionManager).stat_prefix}. PGV stops at the first
 * broken rule of a message, so each message contributes at most one violation; rules on list items name the list
 * field, not the item.
 *
 * <p>Pure and thread-safe: per-type facts (which fields can lead to rules, which validator applies) are computed
 * once and cached, so walking needs no reflection beyond protobuf's field access and skips subtrees that hold no
 * rules at all.
 */
public final class EnvoyValidator {

    /**
     * One broken rule.
     *
     * @param resourceType the resource's message type, e.g. {@code Listener}
     * @param resourceName the resource's name
     * @param path where in the resource, e.g. {@code virtual_hosts[0].routes[2].route.cluster}
     * @param message the rule that failed and the value that failed it
     */
    public record Violation(String resourceType, String resourceName, String path, String message) {
        @Override
        public String toString() {
            return resourceType + " \"" + resourceName + "\" " + path + ": " + message;
        }
    }

    private static final int MAX_VALUE_CHARS = 100;

    /** The generated validator of a message class, if the build generated one. */
    private static final ClassValue<Optional<ValidatorImpl<Message>>> VALIDATORS = new ClassValue<>() {
        @Override
        protected Optional<ValidatorImpl<Message>> computeValue(Class<?> type) {
            return generatedValidator(type);
        }
    };

    private final Map<String, Message> packed = new HashMap<>();
    private final ConcurrentHashMap<Descriptor, TypeInfo> types = new ConcurrentHashMap<>();
    private final Object describing = new Object();

    /** A validator that unpacks the {@code Any} types of {@link EnvoyJson#PACKED_MESSAGES}. */
    public EnvoyValidator() {
        for (Message prototype : EnvoyJson.PACKED_MESSAGES) {
            packed.put(prototype.getDescriptorForType().getFullName(), prototype);
        }
    }

    /** Every violation in every resource, in resource order. */
    public List<Violation> validate(EnvoyResources resources) {
        List<Violation> violations = new ArrayList<>();
        for (List<? extends EnvoyResources.Versioned<?>> type : List.of(
                resources.listeners(),
                resources.routes(),
                resources.clusters(),
                resources.endpoints(),
                resources.secrets())) {
            for (EnvoyResources.Versioned<?> resource : type) {
                violations.addAll(validate(resource.name(), resource.resource()));
            }
        }
        return List.copyOf(violations);
    }

    /** Every violation in one resource; its name is read from its {@code name} or {@code cluster_name} field. */
    public List<Violation> validate(Message resource) {
        return validate(resourceName(resource), resource);
    }

    private List<Violation> validate(String name, Message resource) {
        Walk walk = new Walk(resource.getDescriptorForType().getName(), name);
        walk(resource, info(resource.getDescriptorForType()), walk);
        return List.copyOf(walk.violations);
    }

    private static String resourceName(Message resource) {
        Descriptor descriptor = resource.getDescriptorForType();
        for (String field : List.of("name", "cluster_name")) {
            FieldDescriptor name = descriptor.findFieldByName(field);
            if (name != null && name.getJavaType() == FieldDescriptor.JavaType.STRING && !name.isRepeated()) {
                return (String) resource.getField(name);
            }
        }
        return "";
    }

    // ---- Walking ---------------------------------------------------------------------------------------------

    /** The state of one validation: the path to the current message and what was found so far. */
    private static final class Walk {
        final String type;
        final String name;
        final StringBuilder path = new StringBuilder(128);
        final List<Violation> violations = new ArrayList<>(0);

        Walk(String type, String name) {
            this.type = type;
            this.name = name;
        }

        /** Records a violation at a field of the current message, or at the message itself for an empty field. */
        void add(String field, String message) {
            String at;
            if (field.isEmpty()) {
                at = path.toString();
            } else if (path.isEmpty()) {
                at = field;
            } else {
                at = path + "." + field;
            }
            violations.add(new Violation(type, name, at, message));
        }

        int enter(String field) {
            int mark = path.length();
            if (mark > 0) {
                path.append('.');
            }
            path.append(field);
            return mark;
        }
    }

    private void walk(Message message, TypeInfo info, Walk walk) {
        if (!info.walk) {
            return;
        }
        if (info.any) {
            unpack((Any) message, walk);
            return;
        }
        if (info.rules) {
            check(message, info, walk);
        }
        for (Child child : info.children) {
            FieldDescriptor field = child.field;
            if (!field.isRepeated()) {
                if (message.hasField(field)) {
                    int mark = walk.enter(child.name);
                    walk((Message) message.getField(field), child.type, walk);
                    walk.path.setLength(mark);
                }
                continue;
            }
            int count = message.getRepeatedFieldCount(field);
            for (int i = 0; i < count; i++) {
                Message item = (Message) message.getRepeatedField(field, i);
                int mark = walk.enter(child.name);
                if (child.mapValue != null) {
                    walk.path.append('[').append(item.getField(child.mapKey)).append(']');
                    walk((Message) item.getField(child.mapValue), child.type, walk);
                } else {
                    walk.path.append('[').append(i).append(']');
                    walk(item, child.type, walk);
                }
                walk.path.setLength(mark);
            }
        }
    }

    private static void check(Message message, TypeInfo info, Walk walk) {
        ValidatorImpl<Message> validator = VALIDATORS.get(message.getClass()).orElse(null);
        if (validator == null) {
            walk.add(
                    "",
                    "Envoy has rules for " + info.descriptor.getFullName()
                            + " but the build generated no validator for it: add its .proto file to the validator generation");
            return;
        }
        try {
            // Nested messages are walked here, with their paths: the generated code must not descend on its own.
            validator.assertValid(message, ValidatorIndex.ALWAYS_VALID);
        } catch (ValidationException e) {
            walk.add(fieldName(e.getField(), info), describe(e));
        }
    }

    private void unpack(Any any, Walk walk) {
        String url = any.getTypeUrl();
        Message prototype = packed.get(url.substring(url.lastIndexOf('/') + 1));
        if (prototype == null || !url.contains("/")) {
            walk.add("", "unknown type \"" + url + "\": Gantry packs only the types of EnvoyJson.PACKED_MESSAGES");
            return;
        }
        Message content;
        try {
            content = prototype.getParserForType().parseFrom(any.getValue());
        } catch (InvalidProtocolBufferException e) {
            walk.add("", "cannot unpack " + url + ": " + e.getMessage());
            return;
        }
        int mark = walk.path.length();
        walk.path.append('(').append(prototype.getDescriptorForType().getName()).append(')');
        walk(content, info(content.getDescriptorForType()), walk);
        walk.path.setLength(mark);
    }

    /** PGV names a field {@code .package.Message.field}; the path only needs {@code field}. */
    private static String fieldName(String field, TypeInfo info) {
        if (field == null) {
            return "";
        }
        return field.startsWith(info.fieldPrefix) ? field.substring(info.fieldPrefix.length()) : field;
    }

    private static String describe(ValidationException e) {
        Object value = e.getValue();
        String text = e.getReason();
        if (value != null && !(value instanceof Message)) {
            // PGV quotes string values itself.
            String got = String.valueOf(value);
            text += " (got " + (got.length() > MAX_VALUE_CHARS ? got.substring(0, MAX_VALUE_CHARS) + "..." : got) + ")";
        }
        return printable(text);
    }

    /** Rules and values may hold line breaks and NULs (patterns such as {@code ^[^\x00\n\r]*$}): escape them. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\0' -> out.append("\\x00");
                default -> out.append(c < ' ' ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        return out.toString();
    }

    // ---- Per-type facts --------------------------------------------------------------------------------------

    /** What the walk needs to know of one message type. Built once, then only read. */
    private static final class TypeInfo {
        final Descriptor descriptor;
        final String fieldPrefix;
        final boolean any;
        final boolean rules;
        /** Whether this type or anything it can hold has rules or is an {@code Any}; if not, it is skipped. */
        boolean walk;
        /** The message fields worth walking into. */
        Child[] children = new Child[0];

        TypeInfo(Descriptor descriptor) {
            this.descriptor = descriptor;
            this.fieldPrefix = "." + descriptor.getFullName() + ".";
            this.any = descriptor.getFullName().equals(Any.getDescriptor().getFullName());
            this.rules = hasRules(descriptor);
            this.walk = any || rules;
        }
    }

    /**
     * A message field to walk into.
     *
     * @param field the field
     * @param name its name in paths
     * @param type the type of its messages (of its map values, for a map)
     * @param mapKey for a map, the key of an entry
     * @param mapValue for a map, the value of an entry
     */
    private record Child(
            FieldDescriptor field, String name, TypeInfo type, FieldDescriptor mapKey, FieldDescriptor mapValue) {}

    private TypeInfo info(Descriptor descriptor) {
        TypeInfo info = types.get(descriptor);
        if (info != null) {
            return info;
        }
        synchronized (describing) {
            if (!types.containsKey(descriptor)) {
                types.putAll(describe(descriptor));
            }
        }
        return types.get(descriptor);
    }

    /** Facts for a type and every type it can reach that is not known yet. Called under the lock. */
    private Map<Descriptor, TypeInfo> describe(Descriptor root) {
        Map<Descriptor, TypeInfo> found = new LinkedHashMap<>();
        Deque<Descriptor> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            Descriptor descriptor = pending.pop();
            if (types.containsKey(descriptor) || found.containsKey(descriptor)) {
                continue;
            }
            found.put(descriptor, new TypeInfo(descriptor));
            for (FieldDescriptor field : descriptor.getFields()) {
                Descriptor target = messageTarget(field);
                if (target != null) {
                    pending.push(target);
                }
            }
        }
        // A type is worth walking if it has rules, is an Any, or holds such a type: spread until nothing changes
        // (types can be recursive, so this is a fixed point rather than one pass).
        boolean changed = true;
        while (changed) {
            changed = false;
            for (TypeInfo info : found.values()) {
                if (info.walk) {
                    continue;
                }
                for (FieldDescriptor field : info.descriptor.getFields()) {
                    Descriptor target = messageTarget(field);
                    if (target != null && known(target, found).walk && !skipped(field)) {
                        info.walk = true;
                        changed = true;
                        break;
                    }
                }
            }
        }
        for (TypeInfo info : found.values()) {
            List<Child> children = new ArrayList<>();
            for (FieldDescriptor field : info.descriptor.getFields()) {
                Descriptor target = messageTarget(field);
                if (target == null || skipped(field) || !known(target, found).walk) {
                    continue;
                }
                TypeInfo type = known(target, found);
                if (field.isMapField()) {
                    Descriptor entry = field.getMessageType();
                    children.add(new Child(
                            field, field.getName(), type, entry.findFieldByNumber(1), entry.findFieldByNumber(2)));
                } else {
                    children.add(new Child(field, field.getName(), type, null, null));
                }
            }
            info.children = children.toArray(new Child[0]);
        }
        return found;
    }

    private TypeInfo known(Descriptor descriptor, Map<Descriptor, TypeInfo> found) {
        TypeInfo info = found.get(descriptor);
        return info != null ? info : types.get(descriptor);
    }

    /** The message type a field holds (a map's value type), or null if it holds no messages. */
    private static Descriptor messageTarget(FieldDescriptor field) {
        if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            return null;
        }
        if (field.isMapField()) {
            FieldDescriptor value = field.getMessageType().findFieldByNumber(2);
            return value.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? value.getMessageType() : null;
        }
        return field.getMessageType();
    }

    /** Whether PGV has any rule for a message type's own fields or oneofs. */
    private static boolean hasRules(Descriptor descriptor) {
        if (descriptor.getOptions().getExtension(Validate.disabled)
                || descriptor.getOptions().getExtension(Validate.ignored)) {
            return false;
        }
        for (FieldDescriptor field : descriptor.getFields()) {
            if (field.getOptions().hasExtension(Validate.rules)) {
                return true;
            }
        }
        for (OneofDescriptor oneof : descriptor.getOneofs()) {
            if (oneof.getOptions().getExtension(Validate.required)) {
                return true;
            }
        }
        return false;
    }

    /** A message field Envoy's rules say not to validate. */
    private static boolean skipped(FieldDescriptor field) {
        return field.getOptions().hasExtension(Validate.rules)
                && field.getOptions().getExtension(Validate.rules).getMessage().getSkip();
    }

    /**
     * protoc-gen-validate writes, for each top-level message {@code p.M}, a class {@code p.MValidator} whose static
     * {@code validatorFor(Class)} answers for {@code M} and the messages nested in it.
     */
    @SuppressWarnings("unchecked")
    private static Optional<ValidatorImpl<Message>> generatedValidator(Class<?> type) {
        Class<?> outer = type;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        try {
            Class<?> validators =
                    Class.forName(outer.getName() + "Validator", true, EnvoyValidator.class.getClassLoader());
            Object validator = validators.getMethod("validatorFor", Class.class).invoke(null, type);
            return Optional.ofNullable((ValidatorImpl<Message>) validator);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return Optional.empty();
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot load the validator of " + type.getName(), e);
        }
    }
}
