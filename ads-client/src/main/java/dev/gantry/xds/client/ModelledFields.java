package dev.gantry.xds.client;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How {@link EnvoyRouter} reads the Envoy messages on a request's way: only the fields it models, so that a field
 * it does not know fails naming it instead of the router deciding otherwise than Envoy would.
 */
final class ModelledFields {

    private ModelledFields() {}

    /**
     * Fails on a field set in the message that is not among the named ones: what the router does not know, it must
     * not guess.
     */
    static void understood(Message message, String... fields) {
        Set<String> known = new HashSet<>(List.of(fields));
        for (FieldDescriptor field : message.getAllFields().keySet()) {
            if (!known.contains(field.getName())) {
                throw new UnsupportedOperationException(message.getDescriptorForType()
                                .getName() + "." + field.getName() + " is set; the router does not model it");
            }
        }
    }

    static UnsupportedOperationException unsupported(String field, String value) {
        return new UnsupportedOperationException(field + " " + value + " is not modelled by the router");
    }

    static <T extends Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("not a " + type.getSimpleName() + ": " + any.getTypeUrl(), e);
        }
    }
}
