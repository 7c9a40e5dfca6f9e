package dev.gantry.controller;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Emits Kubernetes Events on objects, so a team sees why its ListenerSet or route was rejected. Leader only. */
final class EventRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final String identity;
    private final Clock clock;
    private final BooleanSupplier leader;
    private final ControllerMetrics metrics;

    EventRecorder(
            KubernetesClient client, String identity, Clock clock, BooleanSupplier leader, ControllerMetrics metrics) {
        this.client = client;
        this.identity = identity;
        this.clock = clock;
        this.leader = leader;
        this.metrics = metrics;
    }

    void warning(HasMetadata object, String reason, String message) {
        record(object, "Warning", reason, message);
    }

    void normal(HasMetadata object, String reason, String message) {
        record(object, "Normal", reason, message);
    }

    private void record(HasMetadata object, String type, String reason, String message) {
        if (!leader.getAsBoolean()) {
            return;
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String namespace = object.getMetadata().getNamespace() == null
                ? "default"
                : object.getMetadata().getNamespace();
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(object.getMetadata().getName() + "."
                        + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT))
                .withNamespace(namespace)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(object.getApiVersion())
                .withKind(object.getKind())
                .withName(object.getMetadata().getName())
                .withNamespace(object.getMetadata().getNamespace())
                .withUid(object.getMetadata().getUid())
                .withResourceVersion(object.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
                .withNewSource()
                .withComponent("gantry-controller")
                .endSource()
                .withReportingComponent("gantry.dev/controller")
                .withReportingInstance(identity)
                .withFirstTimestamp(now.toString())
                .withLastTimestamp(now.toString())
                .withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
            metrics.events.labelValues(reason).inc();
        } catch (KubernetesClientException e) {
            LOG.warn(
                    "could not record Event {} on {} {}: {}",
                    reason,
                    object.getKind(),
                    object.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
