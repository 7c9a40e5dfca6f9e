package dev.gantry.view;

import dev.gantry.model.RouteKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.util.Objects;

/**
 * Recognizes updates that changed only the status of a Gateway API object. Translation never reads the status of
 * those kinds (it reads the status of Services, for load-balancer addresses, and those are not filtered), so such
 * an update cannot change any translation: the controller's own status writes come back as exactly these, and
 * must not cost a retranslation or delay the next push.
 */
public final class StatusOnlyChanges {

    private StatusOnlyChanges() {}

    /** Whether the change is an update of a Gateway API object that left everything but its status alone. */
    public static boolean statusOnly(Change change) {
        HasMetadata before = change.previous();
        HasMetadata after = change.current();
        if (before == null || after == null || before.getClass() != after.getClass()) {
            return false;
        }
        Object specBefore = spec(before);
        if (specBefore == null || !specBefore.equals(spec(after))) {
            return false;
        }
        return sameMetadata(before.getMetadata(), after.getMetadata());
    }

    /** The spec of a Gateway API kind that has a status, or null for any other object. */
    private static Object spec(HasMetadata object) {
        return switch (object) {
            case Gateway o -> o.getSpec();
            case GatewayClass o -> o.getSpec();
            case ListenerSet o -> o.getSpec();
            case BackendTLSPolicy o -> o.getSpec();
            default -> RouteKind.of(object).map(kind -> kind.specOf(object)).orElse(null);
        };
    }

    /** Everything of the metadata that translation or the controller may read; not resourceVersion. */
    private static boolean sameMetadata(ObjectMeta a, ObjectMeta b) {
        return a != null
                && b != null
                && Objects.equals(a.getUid(), b.getUid())
                && Objects.equals(a.getGeneration(), b.getGeneration())
                && Objects.equals(a.getLabels(), b.getLabels())
                && Objects.equals(a.getAnnotations(), b.getAnnotations())
                && Objects.equals(a.getFinalizers(), b.getFinalizers())
                && Objects.equals(a.getOwnerReferences(), b.getOwnerReferences())
                && Objects.equals(a.getDeletionTimestamp(), b.getDeletionTimestamp())
                && Objects.equals(a.getCreationTimestamp(), b.getCreationTimestamp());
    }
}
