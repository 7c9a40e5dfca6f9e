package dev.gantry.translate;

import dev.gantry.status.Reasons;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TLS-terminating listeners (HTTPS, TLS Terminate) served on one port whose hostnames overlap: a wildcard and a name it
 * covers, two wildcards one of which covers the other, or a listener without hostname beside any other. A client
 * may then reach one listener over a connection set up for the other (HTTP/2 connection reuse), so every one of
 * them carries {@code OverlappingTLSConfig=True/OverlappingHostnames}, naming a listener it overlaps. Across the
 * Gateway and its ListenerSets alike: they share the port.
 *
 * <p>Worked out in time linear in the listeners: each hostname looks up the wildcards that would cover it, label by
 * label, instead of comparing every pair (a port can carry thousands of ListenerSet listeners).
 */
final class OverlappingTls {

  private OverlappingTls() {
  }

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
      }
    }
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
        + " overlaps hostname " + (other.hostname == null ? "(any)" : other.hostname) + " of " + other.describe()
        + ": a client may reach one over a TLS connection made for the other";
  }
}
