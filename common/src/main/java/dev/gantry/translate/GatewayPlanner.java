package dev.gantry.translate;

import dev.gantry.ir.FilterChainIr;
import dev.gantry.ir.PortIr;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.ProxyNames;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.status.AddressIr;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Indexes;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedListeners;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerNamespaces;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Gateway-level rules of translation, before any route: is the Gateway Gantry's (its class names Gantry's
 * controller), is it accepted (its class and parameters valid, its requested addresses supported), which
 * ListenerSets it allows, what its listeners and theirs are worth ({@link ListenerTranslator}), where it can be
 * reached, and which units the routes placed on it will fill. A pure function of the view.
 */
final class GatewayPlanner {

    private GatewayPlanner() {}

    /** The plan of one Gateway; every read goes through {@code view}, so a recording view learns what it depends on. */
    static GatewayPlan plan(ClusterView view, ObjectKey key, TranslatorConfig config) {
        Gateway gateway = view.get(Kinds.GATEWAY, key).orElse(null);
        if (gateway == null || gateway.getSpec() == null || gateway.getSpec().getGatewayClassName() == null) {
            return GatewayPlan.NOT_OURS;
        }
        GatewayClass gatewayClass = view.get(
                        Kinds.GATEWAY_CLASS, ObjectKey.cluster(gateway.getSpec().getGatewayClassName()))
                .orElse(null);
        if (gatewayClass == null
                || gatewayClass.getSpec() == null
                || !config.controllerName().equals(gatewayClass.getSpec().getControllerName())) {
            return GatewayPlan.NOT_OURS;
        }
        String invalidReason = null;
        String invalidMessage = null;
        ProxyParameters proxy = null;
        if (ProxyParametersResolver.forClass(view, gatewayClass, config.proxyDefaults())
                instanceof ProxyParameters.Result.Invalid) {
            invalidReason = Reasons.INVALID;
            invalidMessage = "GatewayClass " + gatewayClass.getMetadata().getName() + " is not accepted";
        }
        switch (ProxyParametersResolver.forGateway(view, gateway, gatewayClass, config.proxyDefaults())) {
            case ProxyParameters.Result.Valid valid -> proxy = valid.parameters();
            case ProxyParameters.Result.Invalid invalid -> {
                if (invalidReason == null) {
                    invalidReason = Reasons.INVALID_PARAMETERS;
                    invalidMessage = invalid.problem();
                }
            }
        }
        List<AddressIr> staticAddresses = new ArrayList<>();
        String addressProblem = staticAddresses(gateway, staticAddresses);
        if (invalidReason == null && addressProblem != null) {
            invalidReason = Reasons.UNSUPPORTED_ADDRESS;
            invalidMessage = addressProblem;
        }
        boolean usable = invalidReason == null;
        GatewayPlan.Verdict verdict = usable
                ? new GatewayPlan.Verdict.Accepted()
                : new GatewayPlan.Verdict.NotAccepted(invalidReason, invalidMessage);

        List<ListenerSet> sets = new ArrayList<>(view.byIndex(Indexes.LISTENER_SETS_BY_GATEWAY, key.toString()));
        sets.sort(Metadata.PRECEDENCE);
        List<ListenerSet> allowed = new ArrayList<>();
        for (ListenerSet set : sets) {
            if (usable && listenerSetAllowed(view, gateway, key, set)) {
                allowed.add(set);
            }
        }
        ListenerTranslator listenerTranslator = new ListenerTranslator(view, config);
        List<ListenerState> listeners = listenerTranslator.translate(gateway, allowed);
        Map<String, List<ListenerState>> owners = new LinkedHashMap<>();
        owners.put(gatewayParent(key).indexKey(), new ArrayList<>());
        for (ListenerSet set : allowed) {
            owners.put(setParent(ObjectKey.of(set)).indexKey(), new ArrayList<>());
        }
        for (ListenerState listener : listeners) {
            owners.get(new ParentKey(Kinds.GATEWAY_GROUP, listener.owner.kind(), listener.owner.key()).indexKey())
                    .add(listener);
        }
        Set<ParentKey> parents = new HashSet<>();
        parents.add(gatewayParent(key));
        for (ListenerSet set : sets) {
            parents.add(setParent(ObjectKey.of(set)));
        }
        List<AddressIr> addresses =
                staticAddresses.isEmpty() ? proxyServiceAddresses(view, key, config) : staticAddresses;
        TreeSet<ExposedPort> exposed = new TreeSet<>();
        if (usable) {
            for (ListenerState listener : listeners) {
                if (listener.programmable()) {
                    exposed.add(new ExposedPort(
                            listener.port, listener.isUdp() ? PortIr.Transport.UDP : PortIr.Transport.TCP));
                }
            }
        }
        return new GatewayPlan(
                gateway,
                verdict,
                proxy,
                addresses,
                sets,
                listeners,
                owners,
                parents,
                listenerTranslator.secrets,
                List.copyOf(exposed),
                usable ? units(listeners) : GatewayPlan.Units.NONE);
    }

    static ParentKey gatewayParent(ObjectKey gateway) {
        return new ParentKey(Kinds.GATEWAY_GROUP, "Gateway", gateway);
    }

    static ParentKey setParent(ObjectKey set) {
        return new ParentKey(Kinds.GATEWAY_GROUP, "ListenerSet", set);
    }

    private static String socket(ListenerState listener) {
        // "%05d/%s" written out: asked for per listener, thousands of them.
        String port = Integer.toString(listener.port);
        return "00000".substring(Math.min(5, port.length())) + port + (listener.isUdp() ? "/udp" : "/tcp");
    }

    /**
     * Ports whose filter chains do not depend on routes (plain HTTP), and the units whose content does: a route
     * table per HTTP port and per HTTPS listener, the chains of TLS (with the HTTPS chains of the port), TCP and UDP
     * listeners per port.
     */
    private static GatewayPlan.Units units(List<ListenerState> listeners) {
        Map<ListenerState, Unit> unitOf = new IdentityHashMap<>();
        Map<Unit, List<ListenerState>> members = new HashMap<>();
        Map<String, Set<String>> httpsClaims = new HashMap<>();
        Map<String, PortIr> fixedPorts = new TreeMap<>();
        Map<String, List<ListenerState>> bySocket = new TreeMap<>();
        for (ListenerState listener : listeners) {
            if (listener.programmable()) {
                bySocket.computeIfAbsent(socket(listener), k -> new ArrayList<>())
                        .add(listener);
            }
        }
        for (var entry : bySocket.entrySet()) {
            List<ListenerState> onSocket = entry.getValue();
            ListenerState first = onSocket.getFirst();
            switch (first.portClass()) {
                case HTTP -> {
                    String table = RouteTables.httpTableName(first.port);
                    fixedPorts.put(
                            entry.getKey(),
                            new PortIr(
                                    first.port,
                                    PortIr.Transport.TCP,
                                    List.of(new FilterChainIr.Http("http", List.of(), List.of(), table))));
                    Unit unit = new Unit.Table(table);
                    members.put(unit, onSocket);
                    onSocket.forEach(l -> unitOf.put(l, unit));
                }
                case TLS -> {
                    Set<String> claimed = new HashSet<>();
                    List<ListenerState> tlsRouted = new ArrayList<>();
                    for (ListenerState listener : onSocket) {
                        if (listener.mode == ListenerState.Mode.HTTPS) {
                            if (claimed.add(listener.hostname == null ? "" : listener.hostname)) {
                                Unit unit = new Unit.Table(RouteTables.httpsTableName(listener));
                                members.put(unit, List.of(listener));
                                unitOf.put(listener, unit);
                            }
                        } else {
                            tlsRouted.add(listener);
                        }
                    }
                    httpsClaims.put(entry.getKey(), claimed);
                    Unit unit = new Unit.Port(entry.getKey());
                    members.put(unit, onSocket);
                    tlsRouted.forEach(l -> unitOf.put(l, unit));
                }
                case TCP, UDP, UNSUPPORTED -> {
                    Unit unit = new Unit.Port(entry.getKey());
                    members.put(unit, List.of(first));
                    unitOf.put(first, unit);
                }
            }
        }
        return new GatewayPlan.Units(unitOf, members, httpsClaims, fixedPorts);
    }

    /** Whether the Gateway's {@code allowedListeners} admit a ListenerSet. */
    private static boolean listenerSetAllowed(ClusterView view, Gateway gateway, ObjectKey key, ListenerSet set) {
        AllowedListeners allowed = gateway.getSpec().getAllowedListeners();
        ListenerNamespaces namespaces = allowed == null ? null : allowed.getNamespaces();
        String from = namespaces == null || namespaces.getFrom() == null ? "None" : namespaces.getFrom();
        String setNamespace = Metadata.namespace(set);
        return switch (from) {
            case "All" -> true;
            case "Same" -> setNamespace.equals(key.namespace());
            case "Selector" -> {
                Namespace namespace = view.get(Kinds.NAMESPACE, ObjectKey.cluster(setNamespace))
                        .orElse(null);
                yield namespace != null
                        && LabelSelectors.matches(
                                namespaces.getSelector(),
                                namespace.getMetadata().getLabels());
            }
            default -> false;
        };
    }

    /** Collects usable spec.addresses; returns why one is unsupported, or null. */
    private static String staticAddresses(Gateway gateway, List<AddressIr> out) {
        List<GatewaySpecAddress> requested = gateway.getSpec().getAddresses();
        if (requested == null) {
            return null;
        }
        for (GatewaySpecAddress address : requested) {
            String type = address.getType() == null ? "IPAddress" : address.getType();
            String value = address.getValue();
            if (value == null || value.isEmpty()) {
                continue;
            }
            switch (type) {
                case "IPAddress" -> {
                    if (!isIpLiteral(value)) {
                        return "spec.addresses: '" + value + "' is not an IP address";
                    }
                    out.add(new AddressIr("IPAddress", value));
                }
                case "Hostname" -> {
                    String problem = Hostnames.problem(value, false);
                    if (problem != null) {
                        return "spec.addresses: " + problem;
                    }
                    out.add(new AddressIr("Hostname", value));
                }
                default -> {
                    return "spec.addresses: type '" + type + "' is not supported; use IPAddress or Hostname";
                }
            }
        }
        return null;
    }

    private static boolean isIpLiteral(String value) {
        return value.matches("^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$")
                || (value.contains(":") && value.matches("^[0-9a-fA-F:.]+$"));
    }

    /** The proxy Service's load-balancer ingress, else its cluster IP, else its DNS name. */
    private static List<AddressIr> proxyServiceAddresses(ClusterView view, ObjectKey key, TranslatorConfig config) {
        String name = ProxyNames.proxyName(key);
        Service service =
                view.get(Kinds.SERVICE, new ObjectKey(key.namespace(), name)).orElse(null);
        if (service == null || !ProxyNames.isProxyOf(service, key)) {
            return List.of(); // missing, or a Service of the same name that Gantry did not create for this Gateway
        }
        List<AddressIr> result = new ArrayList<>();
        if (service.getStatus() != null
                && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress ingress :
                    service.getStatus().getLoadBalancer().getIngress()) {
                if (ingress.getIp() != null && !ingress.getIp().isEmpty()) {
                    result.add(new AddressIr("IPAddress", ingress.getIp()));
                } else if (ingress.getHostname() != null
                        && !ingress.getHostname().isEmpty()) {
                    result.add(new AddressIr("Hostname", ingress.getHostname()));
                }
            }
        }
        if (result.isEmpty()) {
            String clusterIp =
                    service.getSpec() == null ? null : service.getSpec().getClusterIP();
            if (clusterIp != null && !clusterIp.isEmpty() && !"None".equals(clusterIp)) {
                result.add(new AddressIr("IPAddress", clusterIp));
            } else {
                result.add(new AddressIr("Hostname", name + "." + key.namespace() + ".svc." + config.clusterDomain()));
            }
        }
        return result;
    }
}
