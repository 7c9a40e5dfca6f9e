package dev.gantry.xds;

import dev.gantry.runtime.Parallel;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard's xDS cache: one snapshot per Gateway. State-of-the-world watches are java-control-plane's
 * {@link SimpleCache}'s; delta watches are kept here. SimpleCache copies the versions a proxy holds of every resource
 * of a type each time it opens a delta watch (after every ACK), and visits every delta watch of every type at each
 * snapshot; with thousands of route tables and a thousand proxies that was most of a shard's CPU per push. Here a
 * watch reads the stream's versions in place, and a snapshot visits only the watches of types whose content changed.
 *
 * <p>Reading in place is safe: a stream changes the versions and subscriptions of a type only while it handles a
 * request of that type, and the callbacks call {@link #requestArrived} first, which retires the stream's open watch
 * of that type under this cache's lock. The stream then opens a new watch, which reads them on the stream's thread.
 */
final class GatewayXdsCache implements ConfigWatcher {

  /** The stream whose request the current thread handles; set by the callbacks just before the watch is opened. */
  static final ThreadLocal<Long> STREAM = new ThreadLocal<>();

  /** Fewest streams to answer whose sending is spread over threads. */
  private static final int SPREAD_FROM = 64;
  private static final Logger LOG = LoggerFactory.getLogger(GatewayXdsCache.class);

  private final NodeGroup<String> groups;
  private final SimpleCache<String> stateOfTheWorld;
  private final Object lock = new Object();
  private final AtomicLong unknownStreams = new AtomicLong();
  // Guarded by lock.
  private final Map<String, GatewaySnapshot> snapshots = new HashMap<>();
  private final Map<String, Map<ResourceType, Map<Long, DeltaWatch>>> open = new HashMap<>();
  private final Map<Long, Map<ResourceType, String>> groupOfStream = new HashMap<>();

  GatewayXdsCache(NodeGroup<String> groups) {
    this.groups = groups;
    this.stateOfTheWorld = new SimpleCache<>(groups);
  }

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
      Consumer<Response> responseConsumer, boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
    return stateOfTheWorld.createWatch(ads, request, knownResourceNames, responseConsumer, hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }

  /** Called on a stream's thread before the stream applies a delta request of {@code typeUrl}. */
  void requestArrived(long stream, String typeUrl) {
    STREAM.set(stream);
    ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(typeUrl);
    if (type == null) {
      return;
    }
    synchronized (lock) {
      retire(stream, type);
    }
  }

  /** Forgets a closed stream. */
  void streamClosed(long stream) {
    synchronized (lock) {
      Map<ResourceType, String> types = groupOfStream.get(stream);
      if (types != null) {
        for (ResourceType type : List.copyOf(types.keySet())) {
          retire(stream, type);
        }
      }
    }
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
      Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    ResourceType type = request.getResourceType();
    if (type == null) {
      throw new IllegalArgumentException("unsupported type URL " + request.getTypeUrl());
    }
    String group = groups.hash(request.v3Request().getNode());
    Long knownStream = STREAM.get();
    STREAM.remove();
    // Without the stream's id nothing retires the watch before the stream changes its versions: copy them.
    long stream = knownStream != null ? knownStream : -unknownStreams.incrementAndGet();
    Map<String, String> tracked = knownStream != null ? resourceVersions : Map.copyOf(resourceVersions);
    DeltaWatch watch = new DeltaWatch(request, tracked, Set.copyOf(pendingResources), requesterVersion, isWildcard,
        responseConsumer);
    synchronized (lock) {
      GatewaySnapshot snapshot = snapshots.get(group);
      if (snapshot != null) {
        String version = snapshot.version(type, List.of());
        Map<String, VersionedResource<?>> resources = snapshot.versionedResources(type);
        if (!version.equals(requesterVersion)) {
          if (respond(watch, changed(watch, resources), heldButAbsent(watch, resources.keySet()), version)) {
            return watch;
          }
        } else if (!isWildcard && !watch.pendingResources().isEmpty()) {
          Map<String, VersionedResource<?>> requested = new LinkedHashMap<>();
          for (String name : watch.pendingResources()) {
            VersionedResource<?> resource = resources.get(name);
            if (resource != null) {
              requested.put(name, resource);
            }
          }
          if (respond(watch, requested, List.of(), version)) {
            return watch;
          }
        } else if (hasClusterChanged && type == ResourceType.ENDPOINT) {
          // Envoy drops endpoints when their cluster changes: send them again even at the same version.
          if (respond(watch, changed(watch, resources), heldButAbsent(watch, resources.keySet()), version)) {
            return watch;
          }
        }
      }
      retire(stream, type);
      open.computeIfAbsent(group, g -> new EnumMap<>(ResourceType.class))
          .computeIfAbsent(type, t -> new LinkedHashMap<>()).put(stream, watch);
      groupOfStream.computeIfAbsent(stream, s -> new EnumMap<>(ResourceType.class)).put(type, group);
      watch.setStop(() -> {
        synchronized (lock) {
          Map<ResourceType, Map<Long, DeltaWatch>> byType = open.get(group);
          Map<Long, DeltaWatch> watches = byType == null ? null : byType.get(type);
          if (watches != null && watches.get(stream) == watch) {
            retire(stream, type);
          }
        }
      });
    }
    return watch;
  }

  /**
   * Publishes a Gateway's snapshot and answers the open watches of the types whose content changed, each stream in
   * the order Envoy needs (clusters before endpoints, listeners before routes).
   *
   * <p>The answers are worked out under the lock and sent after it, spread over threads when there are many: with a
   * thousand proxies on a Gateway, sending is most of a push, and ACKs (which take the lock to open their next
   * watch) must not wait for the whole fan-out. A stream whose watch is answered here has it retired first; should
   * it open another watch before the answer goes out, that cancels this one and the late answer is dropped.
   *
   * @return the delta streams answered
   */
  int setSnapshot(String group, GatewaySnapshot snapshot) {
    stateOfTheWorld.setSnapshot(group, snapshot);
    Map<Long, List<Answer>> answers = new LinkedHashMap<>();
    synchronized (lock) {
      GatewaySnapshot previous = snapshots.put(group, snapshot);
      Map<ResourceType, Map<Long, DeltaWatch>> byType = open.get(group);
      if (byType == null) {
        return 0;
      }
      for (ResourceType type : Resources.RESOURCE_TYPES_IN_ORDER) {
        Map<Long, DeltaWatch> watches = byType.get(type);
        String version = snapshot.version(type, List.of());
        if (watches == null || watches.isEmpty()
            || (previous != null && version.equals(previous.version(type, List.of())))) {
          continue;
        }
        Map<String, VersionedResource<?>> now = snapshot.versionedResources(type);
        Map<String, VersionedResource<?>> before = previous == null ? Map.of() : previous.versionedResources(type);
        Map<String, VersionedResource<?>> changedNow = new LinkedHashMap<>();
        now.forEach((name, resource) -> {
          VersionedResource<?> earlier = before.get(name);
          if (earlier == null || !earlier.version().equals(resource.version())) {
            changedNow.put(name, resource);
          }
        });
        List<String> removedNow = new ArrayList<>();
        for (String name : before.keySet()) {
          if (!now.containsKey(name)) {
            removedNow.add(name);
          }
        }
        for (var entry : List.copyOf(watches.entrySet())) {
          DeltaWatch watch = entry.getValue();
          if (watch.version().equals(version)) {
            continue;
          }
          Map<String, VersionedResource<?>> changed = changed(watch, changedNow);
          List<String> removed = heldAndGone(watch, removedNow);
          if (!changed.isEmpty() || !removed.isEmpty()) {
            retire(entry.getKey(), type);
            answers.computeIfAbsent(entry.getKey(), k -> new ArrayList<>(1))
                .add(new Answer(watch, DeltaResponse.create(watch.request(), changed, removed, version)));
          }
        }
      }
    }
    List<List<Answer>> perStream = new ArrayList<>(answers.values());
    Parallel.forEachIndex(perStream.size(), SPREAD_FROM, i -> {
      for (Answer answer : perStream.get(i)) {
        send(answer.watch(), answer.response());
      }
    });
    return perStream.size();
  }

  /** A response worked out for a watch, to be sent once the lock is released. */
  private record Answer(DeltaWatch watch, DeltaResponse response) {
  }

  /** Open delta watches, for tests. */
  int openDeltaWatches() {
    synchronized (lock) {
      return open.values().stream().flatMap(m -> m.values().stream()).mapToInt(Map::size).sum();
    }
  }

  /** The candidates the proxy does not hold at their current version and is subscribed to (or takes all). */
  private static Map<String, VersionedResource<?>> changed(DeltaWatch watch,
      Map<String, VersionedResource<?>> candidates) {
    Map<String, VersionedResource<?>> changed = new LinkedHashMap<>();
    candidates.forEach((name, resource) -> {
      String held = watch.trackedResources().get(name);
      boolean wanted = watch.pendingResources().contains(name)
          || (held == null ? watch.isWildcard() : !held.equals(resource.version()));
      if (wanted) {
        changed.put(name, resource);
      }
    });
    return changed;
  }

  /** The candidates the proxy holds, which are gone. */
  private static List<String> heldAndGone(DeltaWatch watch, List<String> gone) {
    List<String> removed = new ArrayList<>();
    for (String name : gone) {
      if (watch.trackedResources().containsKey(name)) {
        removed.add(name);
      }
    }
    return removed;
  }

  /** The names the proxy holds that are not among {@code present}. */
  private static List<String> heldButAbsent(DeltaWatch watch, Set<String> present) {
    List<String> removed = new ArrayList<>();
    for (String name : watch.trackedResources().keySet()) {
      if (!present.contains(name)) {
        removed.add(name);
      }
    }
    return removed;
  }

  /** Answers a watch when there is something to say; true when the watch is done with. */
  private static boolean respond(DeltaWatch watch, Map<String, VersionedResource<?>> changed, List<String> removed,
      String version) {
    if (changed.isEmpty() && removed.isEmpty()) {
      return false;
    }
    send(watch, DeltaResponse.create(watch.request(), changed, removed, version));
    return true;
  }

  private static void send(DeltaWatch watch, DeltaResponse response) {
    try {
      watch.respond(response);
    } catch (WatchCancelledException e) {
      // The stream went away, or opened a newer watch, meanwhile: nothing to answer here.
    } catch (RuntimeException e) {
      // One broken stream must not keep the answers from the others.
      LOG.warn("sending a {} response failed: {}", response.request().getTypeUrl(), e.toString());
    }
  }

  /** Drops a stream's open watch of a type from the index (caller holds the lock). */
  private void retire(long stream, ResourceType type) {
    Map<ResourceType, String> types = groupOfStream.get(stream);
    String group = types == null ? null : types.remove(type);
    if (types != null && types.isEmpty()) {
      groupOfStream.remove(stream);
    }
    if (group == null) {
      return;
    }
    Map<ResourceType, Map<Long, DeltaWatch>> byType = open.get(group);
    Map<Long, DeltaWatch> watches = byType == null ? null : byType.get(type);
    if (watches != null) {
      watches.remove(stream);
      if (watches.isEmpty()) {
        byType.remove(type);
        if (byType.isEmpty()) {
          open.remove(group);
        }
      }
    }
  }
}
