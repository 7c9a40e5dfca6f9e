package dev.gantry.translate;

import dev.gantry.status.Reasons;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TLS-terminating listeners (HTTPS, TLS Terminate) served on one port whose TLS configuration overlaps, so that a
 * client may reach one over a connection set up for the other (HTTP/2 connection coalescing). Across the Gateway and
 * its ListenerSets alike: they share the port. Every listener concerned carries {@code OverlappingTLSConfig=True},
 * naming one it overlaps:
 *
 * <ul>
 *   <li>{@code OverlappingHostnames}: the listeners' hostnames overlap (a wildcard and a name it covers, two
 *       wildcards one of which covers the other, or a listener without hostname beside any other);</li>
 *   <li>{@code OverlappingCertificates}: the certificates they serve have overlapping subjectAltName DNS names (the
 *       same name, or a wildcard and a name it covers as TLS has it, one label deep), which is also the case of one
 *       certificate served by listeners of different hostnames. Where both hold, the spec prefers this reason.</li>
 * </ul>
 *
 * <p>Worked out in time linear in the listeners and their names: each hostname or certificate name looks up what
 * would cover it in an index, instead of comparing every pair (a port can carry thousands of ListenerSet listeners).
 */
final class OverlappingTls {

    private OverlappingTls() {}

    static void mark(List<ListenerState> merged) {
        Map<Integer, List<ListenerState>> byPort = new HashMap<>();
        for (ListenerState l : merged) {
            if (l.terminatesTls() && l.programmable()) {
                byPort.computeIfAbsent(l.port, p -> new ArrayList<>()).add(l);
            }
        }
        for (List<ListenerState> onPort : byPort.values()) {
            if (onPort.size() > 1) {
                markPort(onPort);
                markCertificates(onPort);
            }
        }
    }

    /** Up to two listeners holding one certificate name: enough to find one other than the asking listener. */
    private static final class Holders {
        private ListenerState first;
        private ListenerState second;

        void add(ListenerState l) {
            if (first == null) {
                first = l;
            } else if (second == null && first != l) {
                second = l;
            }
        }

        ListenerState other(ListenerState l) {
            return first != l ? first : second;
        }
    }

    private static void markCertificates(List<ListenerState> onPort) {
        Map<String, Holders> byName = new HashMap<>();
        for (ListenerState l : onPort) {
            for (String name : l.certificateNames) {
                byName.computeIfAbsent(name, k -> new Holders()).add(l);
            }
        }
        for (ListenerState l : onPort) {
            for (String name : l.certificateNames) {
                ListenerState same = byName.get(name).other(l);
                if (same != null) {
                    overlapCertificates(l, name, same, name);
                    overlapCertificates(same, name, l, name);
                }
                // A certificate wildcard covers one label: "a.example.com" is covered by "*.example.com" only.
                int dot = name.indexOf('.');
                if (!name.startsWith("*.") && dot > 0) {
                    String wildcard = "*." + name.substring(dot + 1);
                    Holders covering = byName.get(wildcard);
                    ListenerState other = covering == null ? null : covering.other(l);
                    if (other != null) {
                        overlapCertificates(l, name, other, wildcard);
                        overlapCertificates(other, wildcard, l, name);
                    }
                }
            }
        }
    }

    /** OverlappingCertificates takes the place of OverlappingHostnames: the spec prefers it when both hold. */
    private static void overlapCertificates(ListenerState l, String name, ListenerState other, String otherName) {
        if (Reasons.OVERLAPPING_CERTIFICATES.equals(l.overlapReason)) {
            return;
        }
        l.overlapReason = Reasons.OVERLAPPING_CERTIFICATES;
        l.overlapMessage = "The certificate served on port " + l.port + " for " + name + " overlaps the certificate of "
                + other.describe() + " for " + otherName
                + ": a client may reach one over a TLS connection made for the other";
    }

    private static void markPort(List<ListenerState> onPort) {
        Map<String, ListenerState> wildcards = new HashMap<>();
        ListenerState anyHost = null;
        for (ListenerState l : onPort) {
            if (l.hostname == null) {
                anyHost = anyHost == null ? l : anyHost;
            } else if (l.hostname.startsWith("*.")) {
                wildcards.putIfAbsent(l.hostname, l);
            }
        }
        for (ListenerState l : onPort) {
            if (l.hostname == null) {
                ListenerState other = onPort.getFirst() == l ? onPort.get(1) : onPort.getFirst();
                overlap(l, other);
                continue;
            }
            if (anyHost != null && anyHost != l) {
                overlap(l, anyHost);
            }
            // A wildcard "*.S" covers the names that end in ".S": look up "*." + each suffix after a dot of this name
            // (of a wildcard, of the part after "*.").
            String rest = l.hostname.startsWith("*.") ? l.hostname.substring(2) : l.hostname;
            for (int dot = rest.indexOf('.'); dot >= 0; dot = rest.indexOf('.', dot + 1)) {
                ListenerState covering = wildcards.get("*." + rest.substring(dot + 1));
                if (covering != null && covering != l) {
                    overlap(l, covering);
                    overlap(covering, l);
                }
            }
        }
    }

    private static void overlap(ListenerState l, ListenerState other) {
        if (l.overlapReason != null) {
            return;
        }
        l.overlapReason = Reasons.OVERLAPPING_HOSTNAMES;
        l.overlapMessage = "Hostname " + (l.hostname == null ? "(any)" : l.hostname) + " on port " + l.port
                + " overlaps hostname " + (other.hostname == null ? "(any)" : other.hostname) + " of "
                + other.describe()
                + ": a client may reach one over a TLS connection made for the other";
    }
}
