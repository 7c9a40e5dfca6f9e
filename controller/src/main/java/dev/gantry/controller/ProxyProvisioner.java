package dev.gantry.controller;

import dev.gantry.config.GantrySettings;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.ProxyNames;
import dev.gantry.sharding.ShardHash;
import dev.gantry.translate.GatewayTranslation;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gives every Gateway of Gantry's classes an Envoy fleet (ServiceAccount, bootstrap ConfigMap, Deployment,
 * Service, all owned by the Gateway) pointed at the shard that owns the Gateway. Leader only. Objects drifted by
 * hand are put back; an object of the same name that Gantry did not create is never touched (an Event says so).
 */
final class ProxyProvisioner implements ControllerReconciler.LeaderTask, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyProvisioner.class);

    private final KubernetesClient client;
    private final GantrySettings settings;
    private final EventRecorder events;
    private final Set<String> conflictsReported = new HashSet<>();
    private final List<SharedIndexInformer<?>> watches = new ArrayList<>();

    ProxyProvisioner(KubernetesClient client, GantrySettings settings, EventRecorder events) {
        this.client = client;
        this.settings = settings;
        this.events = events;
    }

    /** Watches provisioned objects so hand edits and deletions are repaired; reports the Gateway to revisit. */
    void watchProvisioned(Consumer<ObjectKey> dirty) {
        watch(
                client.apps()
                        .deployments()
                        .inAnyNamespace()
                        .withLabel(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE)
                        .withLabel(ProxyObjects.APP, ProxyObjects.APP_VALUE)
                        .runnableInformer(0),
                dirty);
        watch(
                client.serviceAccounts()
                        .inAnyNamespace()
                        .withLabel(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE)
                        .withLabel(ProxyObjects.APP, ProxyObjects.APP_VALUE)
                        .runnableInformer(0),
                dirty);
        watch(
                client.configMaps()
                        .inAnyNamespace()
                        .withLabel(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE)
                        .withLabel(ProxyObjects.APP, ProxyObjects.APP_VALUE)
                        .runnableInformer(0),
                dirty);
        watch(
                client.services()
                        .inAnyNamespace()
                        .withLabel(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE)
                        .withLabel(ProxyObjects.APP, ProxyObjects.APP_VALUE)
                        .runnableInformer(0),
                dirty);
    }

    private <T extends HasMetadata> void watch(SharedIndexInformer<T> informer, Consumer<ObjectKey> dirty) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {}

            @Override
            public void onUpdate(T previous, T current) {
                report(current);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                report(object);
            }

            private void report(T object) {
                for (OwnerReference owner : object.getMetadata().getOwnerReferences()) {
                    if ("Gateway".equals(owner.getKind())) {
                        dirty.accept(new ObjectKey(object.getMetadata().getNamespace(), owner.getName()));
                    }
                }
            }
        });
        watches.add(informer);
        informer.start();
    }

    @Override
    public void run(ClusterStore store, Map<ObjectKey, GatewayTranslation> gateways, Set<ObjectKey> changed) {
        for (ObjectKey key : changed) {
            Gateway gateway = store.get(Kinds.GATEWAY, key).orElse(null);
            GatewayTranslation translation = gateways.get(key);
            try {
                if (gateway == null || translation == null) {
                    removeOrphans(key);
                } else if (translation.proxy() != null) {
                    provision(gateway, translation);
                }
            } catch (KubernetesClientException e) {
                LOG.warn(
                        "provisioning proxies of Gateway {} failed (retried on the next change): {}",
                        key,
                        e.getMessage());
            }
        }
    }

    /** The owner shard's address as proxies reach it: its pod's stable DNS name, or loopback in standalone. */
    private String[] xdsTarget(ObjectKey gateway) {
        int owner = ShardHash.shardOf(gateway, settings.shardCount());
        if (settings.shardStatefulSet() != null && settings.shardService() != null) {
            return new String[] {
                settings.shardStatefulSet() + "-" + owner + "." + settings.shardService() + "." + settings.namespace()
                        + ".svc." + settings.clusterDomain(),
                Integer.toString(settings.xdsPort())
            };
        }
        // Standalone: shard i listens on 127.0.0.1, port xdsPort + i.
        return new String[] {"127.0.0.1", Integer.toString(settings.xdsPort() + owner)};
    }

    private void provision(Gateway gateway, GatewayTranslation translation) {
        ObjectKey key = ObjectKey.of(gateway);
        String[] target = xdsTarget(key);
        ProxyObjects desired = ProxyObjects.build(
                gateway,
                translation.proxy(),
                translation.exposedPorts(),
                target[0],
                Integer.parseInt(target[1]),
                settings.imagePullPolicy(),
                !settings.xdsInsecure());
        for (HasMetadata object : desired.all()) {
            ensure(gateway, object);
        }
    }

    private void ensure(Gateway gateway, HasMetadata desired) {
        HasMetadata actual = client.resource(desired).get();
        if (actual == null) {
            try {
                client.resource(desired).create();
                LOG.info(
                        "created {} {}/{} for Gateway {}",
                        desired.getKind(),
                        desired.getMetadata().getNamespace(),
                        desired.getMetadata().getName(),
                        ObjectKey.of(gateway));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
            return;
        }
        if (!ownedBy(actual, gateway)) {
            String report = gateway.getMetadata().getUid() + "/" + desired.getKind() + "/"
                    + desired.getMetadata().getName();
            if (conflictsReported.add(report)) {
                String message = desired.getKind() + " " + desired.getMetadata().getName()
                        + " exists but was not created by"
                        + " Gantry for this Gateway; it is left alone and this Gateway gets no " + desired.getKind();
                LOG.warn("Gateway {}: {}", ObjectKey.of(gateway), message);
                events.warning(gateway, "ProvisioningConflict", message);
            }
            return;
        }
        JsonNode actualJson = client.getKubernetesSerialization().convertValue(actual, JsonNode.class);
        JsonNode desiredJson = client.getKubernetesSerialization().convertValue(desired, JsonNode.class);
        if (JsonSubset.contains(
                        actualJson.path("metadata").path("labels"),
                        desiredJson.path("metadata").path("labels"))
                && JsonSubset.contains(
                        actualJson.path("metadata").path("annotations"),
                        desiredJson.path("metadata").path("annotations"))
                && JsonSubset.contains(payload(actualJson), payload(desiredJson))) {
            return;
        }
        HasMetadata update = merge(actual, desired);
        client.resource(update).update();
        LOG.info(
                "restored {} {}/{} of Gateway {}",
                desired.getKind(),
                desired.getMetadata().getNamespace(),
                desired.getMetadata().getName(),
                ObjectKey.of(gateway));
    }

    private static JsonNode payload(JsonNode object) {
        ObjectNode copy = ((ObjectNode) object).deepCopy();
        copy.remove(List.of("metadata", "status", "apiVersion", "kind"));
        return copy;
    }

    /** The desired object carrying what the API server and users own: resourceVersion, foreign labels, IPs. */
    private HasMetadata merge(HasMetadata actual, HasMetadata desired) {
        HasMetadata update = client.getKubernetesSerialization().clone(desired);
        update.getMetadata().setResourceVersion(actual.getMetadata().getResourceVersion());
        Map<String, String> labels =
                new LinkedHashMap<>(nullSafe(actual.getMetadata().getLabels()));
        labels.putAll(nullSafe(desired.getMetadata().getLabels()));
        update.getMetadata().setLabels(labels);
        Map<String, String> annotations =
                new LinkedHashMap<>(nullSafe(actual.getMetadata().getAnnotations()));
        annotations.putAll(nullSafe(desired.getMetadata().getAnnotations()));
        update.getMetadata().setAnnotations(annotations);
        update.getMetadata().setFinalizers(actual.getMetadata().getFinalizers());
        if (update instanceof Service service && actual instanceof Service existing) {
            service.getSpec().setClusterIP(existing.getSpec().getClusterIP());
            service.getSpec().setClusterIPs(existing.getSpec().getClusterIPs());
            service.getSpec().setIpFamilies(existing.getSpec().getIpFamilies());
            service.getSpec().setIpFamilyPolicy(existing.getSpec().getIpFamilyPolicy());
            service.getSpec().setHealthCheckNodePort(existing.getSpec().getHealthCheckNodePort());
            Map<String, Integer> nodePorts = new HashMap<>();
            for (ServicePort port : existing.getSpec().getPorts() == null
                    ? List.<ServicePort>of()
                    : existing.getSpec().getPorts()) {
                if (port.getNodePort() != null) {
                    nodePorts.put(port.getName(), port.getNodePort());
                }
            }
            for (ServicePort port : service.getSpec().getPorts()) {
                port.setNodePort(nodePorts.get(port.getName()));
            }
            service.setStatus(existing.getStatus());
        }
        return update;
    }

    private static boolean ownedBy(HasMetadata object, Gateway gateway) {
        for (OwnerReference owner : object.getMetadata().getOwnerReferences()) {
            if ("Gateway".equals(owner.getKind())
                    && gateway.getMetadata().getUid().equals(owner.getUid())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Deletes the proxy objects of a Gateway that is gone or no longer of Gantry's classes. Garbage collection
     * deletes them on a real cluster once the Gateway is gone; deleting here also covers a Gateway moved to another
     * class, and API servers without garbage collection.
     */
    private void removeOrphans(ObjectKey key) {
        String label = ProxyNames.gatewayLabel(key);
        List<HasMetadata> candidates = new ArrayList<>();
        candidates.addAll(client.apps()
                .deployments()
                .inNamespace(key.namespace())
                .withLabel(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE)
                .withLabel(ProxyNames.GATEWAY_NAME, label)
                .list()
                .getItems());
        candidates.addAll(client.services()
                .inNamespace(key.namespace())
                .withLabel(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE)
                .withLabel(ProxyNames.GATEWAY_NAME, label)
                .list()
                .getItems());
        candidates.addAll(client.configMaps()
                .inNamespace(key.namespace())
                .withLabel(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE)
                .withLabel(ProxyNames.GATEWAY_NAME, label)
                .list()
                .getItems());
        candidates.addAll(client.serviceAccounts()
                .inNamespace(key.namespace())
                .withLabel(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE)
                .withLabel(ProxyNames.GATEWAY_NAME, label)
                .list()
                .getItems());
        for (HasMetadata object : candidates) {
            boolean ownedByGateway = object.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> "Gateway".equals(o.getKind()) && key.name().equals(o.getName()));
            if (ownedByGateway) {
                client.resource(object).delete();
                LOG.info(
                        "deleted {} {}/{} of removed Gateway {}",
                        object.getKind(),
                        key.namespace(),
                        object.getMetadata().getName(),
                        key);
            }
        }
    }

    private static Map<String, String> nullSafe(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }

    @Override
    public void close() {
        watches.forEach(SharedIndexInformer::stop);
    }
}
