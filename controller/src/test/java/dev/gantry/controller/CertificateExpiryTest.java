package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.translate.CertificateUse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which certificates in use are outside their validity window at a fixed instant, and what the Events say. */
class CertificateExpiryTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final ObjectKey GATEWAY = new ObjectKey("apps", "gw");
    private static final ObjectKey SECRET = new ObjectKey("apps", "cert");

    private static CertificateUse listener(String name, ObjectKey secret, Instant notBefore, Instant notAfter) {
        return new CertificateUse(
                CertificateUse.Use.LISTENER, Kinds.GATEWAY, GATEWAY, name, Kinds.SECRET, secret, notBefore, notAfter);
    }

    @Test
    void anExpiredCertificateOfSeveralListenersIsOneGroupCountedOnce() {
        Instant expired = NOW.minus(Duration.ofDays(1));
        List<CertificateUse> uses = List.of(
                listener("a", SECRET, NOW.minus(Duration.ofDays(30)), expired),
                listener("b", SECRET, NOW.minus(Duration.ofDays(30)), expired),
                listener(
                        "c",
                        new ObjectKey("apps", "fresh"),
                        NOW.minus(Duration.ofDays(1)),
                        NOW.plus(Duration.ofDays(9))),
                listener(
                        "d",
                        new ObjectKey("apps", "future"),
                        NOW.plus(Duration.ofDays(2)),
                        NOW.plus(Duration.ofDays(90))),
                new CertificateUse(
                        CertificateUse.Use.BACKEND_CA,
                        Kinds.BACKEND_TLS_POLICY,
                        new ObjectKey("apps", "p"),
                        null,
                        Kinds.CONFIG_MAP,
                        new ObjectKey("apps", "ca"),
                        NOW.minus(Duration.ofDays(9)),
                        NOW.plus(Duration.ofDays(1))));

        CertificateExpiry.Verdict verdict = CertificateExpiry.evaluate(uses, NOW);

        assertEquals(2, verdict.invalid().size(), "the expired Secret and the one not valid yet");
        var expiredGroup = verdict.invalid().keySet().stream()
                .filter(g -> g.source().equals(SECRET))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of("a", "b"), verdict.invalid().get(expiredGroup));
        assertEquals(2, verdict.invalidCertificates().get(CertificateUse.Use.LISTENER));
        assertEquals(0, verdict.invalidCertificates().get(CertificateUse.Use.BACKEND_CA));
        assertEquals(3, verdict.inUse().get(CertificateUse.Use.LISTENER));
        assertEquals(1, verdict.inUse().get(CertificateUse.Use.BACKEND_CA));
        assertEquals(expired, verdict.earliestExpiry());
        assertEquals(
                NOW.plus(Duration.ofDays(1)), verdict.nextBoundary(), "the backend CA expires first of what comes");

        CertificateExpiry.Announcement announcement =
                CertificateExpiry.announcement(expiredGroup, verdict.invalid().get(expiredGroup), NOW);
        assertEquals(CertificateExpiry.EXPIRED, announcement.reason());
        assertEquals(
                "The certificate of Secret apps/cert served by listeners 'a', 'b' expired at 2029-12-31T00:00:00Z;"
                        + " it is still served: replace it",
                announcement.message());
        var futureGroup = verdict.invalid().keySet().stream()
                .filter(g -> !g.source().equals(SECRET))
                .findFirst()
                .orElseThrow();
        CertificateExpiry.Announcement early = CertificateExpiry.announcement(futureGroup, List.of("d"), NOW);
        assertEquals(CertificateExpiry.NOT_YET_VALID, early.reason());
        assertTrue(early.message().contains("is not valid before 2030-01-03T00:00:00Z"), early.message());
    }

    @Test
    void theBoundaryItselfCountsAsExpiredAndAfterTheLastOneNothingIsScheduled() {
        List<CertificateUse> uses = List.of(listener("a", SECRET, NOW.minus(Duration.ofDays(1)), NOW));
        assertTrue(
                CertificateExpiry.evaluate(uses, NOW.minusMillis(1)).invalid().isEmpty());
        assertEquals(NOW, CertificateExpiry.evaluate(uses, NOW.minusMillis(1)).nextBoundary());
        CertificateExpiry.Verdict at = CertificateExpiry.evaluate(uses, NOW);
        assertEquals(1, at.invalid().size());
        assertNull(at.nextBoundary());
        assertEquals(Map.of(), CertificateExpiry.evaluate(List.of(), NOW).invalid());
        assertNull(CertificateExpiry.evaluate(List.of(), NOW).earliestExpiry());
    }

    @Test
    void manyListenersAreNamedUpToTenThenCounted() {
        List<String> names = IntStream.range(0, 25).mapToObj(i -> "l" + i).toList();
        var group = new CertificateExpiry.Group(
                CertificateUse.Use.LISTENER,
                Kinds.LISTENER_SET,
                GATEWAY,
                Kinds.SECRET,
                SECRET,
                NOW.minus(Duration.ofDays(2)),
                NOW.minus(Duration.ofDays(1)));
        String message = CertificateExpiry.announcement(group, names, NOW).message();
        assertTrue(message.contains("'l9' and 15 more"), message);
        assertFalse(message.contains("'l10'"), message);
    }
}
