package dev.gantry.controller;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import dev.gantry.translate.CertificateUse;
import dev.gantry.translate.GatewayTranslation;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Says when a certificate in use is expired (or not valid yet): translation reports every certificate the proxies
 * serve or trust with its validity window, and this leader task, with the clock it is given, decides which are
 * outside it now. Such a certificate goes on being served (refusing it would take the listener down at the moment
 * it matters most, and clients decide for themselves), but its owner is told once by a Warning Event, and the
 * metrics count it. A timer wakes the reconciler at the next boundary (the first expiry or start of validity to come),
 * so a certificate that expires while nothing changes is noticed then.
 */
final class CertificateExpiry implements ControllerReconciler.LeaderTask, AutoCloseable {

    static final String EXPIRED = "CertificateExpired";
    static final String NOT_YET_VALID = "CertificateNotYetValid";
    /** How many listeners an Event names before it says how many more there are. */
    private static final int LISTENERS_NAMED = 10;

    /**
     * Uses that share an owner and a certificate: one Event for all the listeners among them.
     *
     * @param use what the certificate is for
     * @param ownerKind the kind of the object told
     * @param owner the object told
     * @param sourceKind Secret or ConfigMap
     * @param source the object holding the certificate
     * @param notBefore start of validity
     * @param notAfter expiry
     */
    record Group(
            CertificateUse.Use use,
            Kind<?> ownerKind,
            ObjectKey owner,
            Kind<?> sourceKind,
            ObjectKey source,
            Instant notBefore,
            Instant notAfter) {
        static Group of(CertificateUse use) {
            return new Group(
                    use.use(),
                    use.ownerKind(),
                    use.owner(),
                    use.sourceKind(),
                    use.source(),
                    use.notBefore(),
                    use.notAfter());
        }
    }

    /**
     * What the certificates in use amount to at one instant.
     *
     * @param invalid groups outside their validity window, with the listeners among them, in order
     * @param invalidCertificates distinct certificates (source and window) outside their window, by use
     * @param inUse distinct certificates in use, by use
     * @param earliestExpiry the first notAfter among the certificates in use, or null without any
     * @param nextBoundary the next instant at which one of them expires or becomes valid, or null
     */
    record Verdict(
            Map<Group, List<String>> invalid,
            Map<CertificateUse.Use, Integer> invalidCertificates,
            Map<CertificateUse.Use, Integer> inUse,
            Instant earliestExpiry,
            Instant nextBoundary) {}

    /** Pure: which of the certificates in use are outside their validity window at {@code now}. */
    static Verdict evaluate(Collection<CertificateUse> uses, Instant now) {
        Map<Group, List<String>> invalid = new LinkedHashMap<>();
        Map<CertificateUse.Use, Set<List<Object>>> invalidCertificates = new EnumMap<>(CertificateUse.Use.class);
        Map<CertificateUse.Use, Set<List<Object>>> inUse = new EnumMap<>(CertificateUse.Use.class);
        Instant earliest = null;
        Instant next = null;
        for (CertificateUse use : uses) {
            List<Object> certificate = List.of(use.sourceKind().kind(), use.source(), use.notBefore(), use.notAfter());
            inUse.computeIfAbsent(use.use(), u -> new HashSet<>()).add(certificate);
            earliest = earliest == null || use.notAfter().isBefore(earliest) ? use.notAfter() : earliest;
            for (Instant boundary : List.of(use.notBefore(), use.notAfter())) {
                if (boundary.isAfter(now) && (next == null || boundary.isBefore(next))) {
                    next = boundary;
                }
            }
            if (use.invalidAt(now)) {
                invalidCertificates
                        .computeIfAbsent(use.use(), u -> new HashSet<>())
                        .add(certificate);
                List<String> listeners = invalid.computeIfAbsent(Group.of(use), g -> new ArrayList<>());
                if (use.listener() != null && !listeners.contains(use.listener())) {
                    listeners.add(use.listener());
                }
            }
        }
        Map<CertificateUse.Use, Integer> invalidCounts = new EnumMap<>(CertificateUse.Use.class);
        Map<CertificateUse.Use, Integer> inUseCounts = new EnumMap<>(CertificateUse.Use.class);
        for (CertificateUse.Use use : CertificateUse.Use.values()) {
            invalidCounts.put(
                    use, invalidCertificates.getOrDefault(use, Set.of()).size());
            inUseCounts.put(use, inUse.getOrDefault(use, Set.of()).size());
        }
        return new Verdict(invalid, invalidCounts, inUseCounts, earliest, next);
    }

    /** A Warning Event to emit. */
    record Announcement(String reason, String message) {}

    /** The Event for a group outside its window: names and times only, never certificate data. */
    static Announcement announcement(Group group, List<String> listeners, Instant now) {
        boolean expired = !now.isBefore(group.notAfter());
        String when = expired ? "expired at " + group.notAfter() : "is not valid before " + group.notBefore();
        String source = group.sourceKind().kind() + " " + group.source();
        String message = switch (group.use()) {
            case LISTENER ->
                "The certificate of " + source + " served by " + listeners(listeners) + " " + when
                        + "; it is still served: replace it";
            case CLIENT_CA ->
                "A CA certificate of " + source + " that validates the clients of " + listeners(listeners) + " " + when
                        + "; it is still used: replace it";
            case BACKEND_CA ->
                "A CA certificate of " + source + " that validates this policy's backends " + when
                        + "; it is still used: replace it";
        };
        return new Announcement(expired ? EXPIRED : NOT_YET_VALID, message);
    }

    private static String listeners(List<String> names) {
        StringBuilder text = new StringBuilder(names.size() == 1 ? "listener " : "listeners ");
        for (int i = 0; i < Math.min(names.size(), LISTENERS_NAMED); i++) {
            text.append(i == 0 ? "" : ", ").append('\'').append(names.get(i)).append('\'');
        }
        if (names.size() > LISTENERS_NAMED) {
            text.append(" and ").append(names.size() - LISTENERS_NAMED).append(" more");
        }
        return text.toString();
    }

    private final Clock clock;
    private final EventRecorder events;
    private final ControllerMetrics metrics;
    private final Runnable wake;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "controller-certificate-expiry");
        thread.setDaemon(true);
        return thread;
    });

    // Reconciler thread only.
    private final Map<ObjectKey, List<CertificateUse>> byGateway = new HashMap<>();
    /** Groups already announced while outside their window; forgotten once back inside or out of use. */
    private Set<Group> announced = new HashSet<>();

    private ScheduledFuture<?> nextWake;
    private Instant nextWakeAt;

    /**
     * @param clock tells what is expired now
     * @param wake asks the reconciler to run the leader tasks (a boundary has come)
     */
    CertificateExpiry(Clock clock, EventRecorder events, ControllerMetrics metrics, Runnable wake) {
        this.clock = clock;
        this.events = events;
        this.metrics = metrics;
        this.wake = wake;
    }

    @Override
    public void run(ClusterStore store, Map<ObjectKey, GatewayTranslation> gateways, Set<ObjectKey> changedGateways) {
        for (ObjectKey gateway : changedGateways) {
            GatewayTranslation translation = gateways.get(gateway);
            if (translation == null || translation.certificates().isEmpty()) {
                byGateway.remove(gateway);
            } else {
                byGateway.put(gateway, translation.certificates());
            }
        }
        Instant now = clock.instant();
        List<CertificateUse> all = new ArrayList<>();
        byGateway.values().forEach(all::addAll);
        Verdict verdict = evaluate(all, now);
        Set<Group> stillAnnounced = new HashSet<>();
        verdict.invalid().forEach((group, listeners) -> {
            stillAnnounced.add(group);
            if (!announced.contains(group)) {
                HasMetadata owner = store.get(group.ownerKind(), group.owner()).orElse(null);
                if (owner != null) {
                    Announcement announcement = announcement(group, listeners, now);
                    events.warning(owner, announcement.reason(), announcement.message());
                }
            }
        });
        announced = stillAnnounced;
        for (CertificateUse.Use use : CertificateUse.Use.values()) {
            String label = use.name().toLowerCase(Locale.ROOT);
            metrics.certificatesInvalid
                    .labelValues(label)
                    .set(verdict.invalidCertificates().get(use));
            metrics.certificatesInUse.labelValues(label).set(verdict.inUse().get(use));
        }
        metrics.certificatesEarliestExpiry.set(
                verdict.earliestExpiry() == null
                        ? Double.NaN
                        : verdict.earliestExpiry().getEpochSecond());
        if (verdict.nextBoundary() != null) {
            scheduleWake(verdict.nextBoundary());
        }
    }

    private void scheduleWake(Instant at) {
        if (nextWake != null && !nextWake.isDone() && at.equals(nextWakeAt)) {
            return;
        }
        if (nextWake != null) {
            nextWake.cancel(false);
        }
        nextWakeAt = at;
        // A little past the boundary, so the clock reads it as passed; a clock that lags wakes it again then.
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis()) + 50;
        nextWake = timer.schedule(wake, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
