package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.status.Reasons;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OverlappingTLSConfig rule on its own: which TLS-terminating listeners of a port overlap by hostname, by
 * certificate, or both (then OverlappingCertificates, as the spec prefers), and in time linear in the listeners.
 */
class OverlappingTlsTest {

    private static final HasMetadata GATEWAY = new GatewayBuilder()
            .withNewMetadata()
            .withName("gw")
            .withNamespace("infra")
            .endMetadata()
            .build();
    private static final HasMetadata SET = new ListenerSetBuilder()
            .withNewMetadata()
            .withName("team")
            .withNamespace("apps")
            .endMetadata()
            .build();

    /**
     * One listener of a table row.
     *
     * @param owner the Gateway or the ListenerSet
     * @param port its port
     * @param hostname its hostname, or null
     * @param sans the DNS names of the certificate it serves
     */
    record L(HasMetadata owner, int port, String hostname, List<String> sans) {}

    /**
     * A row: the listeners, and the reason each should carry (null for none).
     *
     * @param name what the row shows
     * @param listeners the listeners
     * @param reasons the expected reasons, in order
     */
    record Row(String name, List<L> listeners, List<String> reasons) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String H = Reasons.OVERLAPPING_HOSTNAMES;
    private static final String C = Reasons.OVERLAPPING_CERTIFICATES;

    private static L gw(String hostname, String... sans) {
        return new L(GATEWAY, 443, hostname, Arrays.asList(sans));
    }

    private static L set(String hostname, String... sans) {
        return new L(SET, 443, hostname, Arrays.asList(sans));
    }

    static List<Row> rows() {
        return List.of(
                new Row(
                        "one certificate for two hostnames",
                        List.of(gw("a.example.com", "*.example.com"), set("b.example.com", "*.example.com")),
                        Arrays.asList(C, C)),
                new Row(
                        "a wildcard SAN covers another's name",
                        List.of(gw("a.example.com", "*.example.com"), set("b.example.com", "b.example.com")),
                        Arrays.asList(C, C)),
                new Row(
                        "a certificate wildcard covers one label only",
                        List.of(gw("a.example.com", "*.example.com"), set("x.b.example.com", "x.b.example.com")),
                        Arrays.asList(null, null)),
                new Row(
                        "two wildcards of different depth never name the same host",
                        List.of(gw("a.example.com", "*.example.com"), set("x.b.example.com", "*.b.example.com")),
                        Arrays.asList(null, null)),
                new Row(
                        "distinct names",
                        List.of(gw("a.example.com", "a.example.com"), set("b.example.org", "b.example.org")),
                        Arrays.asList(null, null)),
                new Row(
                        "hostnames alone",
                        List.of(gw("*.example.com", "wild.example.net"), set("a.example.com", "a.example.com")),
                        Arrays.asList(H, H)),
                new Row(
                        "both: certificates is preferred",
                        List.of(gw("*.example.com", "*.example.com"), set("a.example.com", "a.example.com")),
                        Arrays.asList(C, C)),
                new Row(
                        "only the pair that overlaps",
                        List.of(
                                gw("a.example.com", "a.example.com"),
                                set("b.example.org", "b.example.org"),
                                set("c.example.com", "*.example.com")),
                        Arrays.asList(C, null, C)),
                new Row(
                        "other ports do not count",
                        List.of(
                                gw("a.example.com", "*.example.com"),
                                new L(SET, 8443, "b.example.com", List.of("*.example.com"))),
                        Arrays.asList(null, null)),
                new Row(
                        "a listener does not overlap itself",
                        List.of(
                                gw("a.example.com", "a.example.com", "*.example.com"),
                                set("b.example.org", "b.example.org")),
                        Arrays.asList(null, null)),
                new Row(
                        "a certificate without DNS names overlaps nothing",
                        List.of(gw("a.example.com"), set("b.example.com")),
                        Arrays.asList(null, null)));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void table(Row row) {
        List<ListenerState> listeners = listeners(row.listeners());
        OverlappingTls.mark(listeners);
        for (int i = 0; i < listeners.size(); i++) {
            assertEquals(
                    row.reasons().get(i),
                    listeners.get(i).overlapReason,
                    row.name() + ": listener " + i + " " + listeners.get(i).overlapMessage);
        }
    }

    @Test
    void theMessageNamesTheOtherListenerAndBothNames() {
        List<ListenerState> listeners =
                listeners(List.of(gw("a.example.com", "a.example.com"), set("b.example.com", "*.example.com")));
        OverlappingTls.mark(listeners);
        assertEquals(
                "The certificate served on port 443 for a.example.com overlaps the certificate of ListenerSet"
                        + " apps/team listener 'l1' for *.example.com: a client may reach one over a TLS connection made for the"
                        + " other",
                listeners.get(0).overlapMessage);
        assertTrue(
                listeners
                        .get(1)
                        .overlapMessage
                        .contains("for *.example.com overlaps the certificate of Gateway"
                                + " infra/gw listener 'l0' for a.example.com"),
                listeners.get(1).overlapMessage);
    }

    @Test
    void conflictedListenersAreLeftOut() {
        List<ListenerState> listeners =
                listeners(List.of(gw("a.example.com", "*.example.com"), set("b.example.com", "*.example.com")));
        listeners.get(1).conflictReason = Reasons.HOSTNAME_CONFLICT;
        OverlappingTls.mark(listeners);
        assertNull(listeners.get(0).overlapReason);
    }

    @Test
    void fiftyThousandListenersSharingOneCertificateAreMarkedInLinearTime() {
        List<L> many = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            many.add(set("h" + i + ".example.com", "*.example.com", "example.com"));
        }
        List<ListenerState> listeners = listeners(many);
        long start = System.nanoTime();
        OverlappingTls.mark(listeners);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(listeners.stream().allMatch(l -> C.equals(l.overlapReason)));
        // Comparing every pair would be over a billion comparisons; linear is well under a second even on a slow CI.
        assertTrue(millis < 5_000, millis + " ms");
    }

    private static List<ListenerState> listeners(List<L> rows) {
        List<ListenerState> listeners = new ArrayList<>();
        for (L row : rows) {
            ListenerState l = new ListenerState(
                    listeners.size(),
                    ListenerOwner.of(row.owner()),
                    "l" + listeners.size(),
                    row.port(),
                    "HTTPS",
                    row.hostname(),
                    null,
                    null);
            l.certificateSecrets.add("cert/" + listeners.size());
            l.certificateNames.addAll(row.sans());
            listeners.add(l);
        }
        return listeners;
    }
}
