package dev.gantry.controller;

import dev.gantry.config.GantrySettings;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.ProxyNames;
import dev.gantry.translate.GatewayApiTranslator;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Indexes;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the default GatewayClass (created if missing, re-created if deleted, owned fields restored, the user's
 * labels, annotations and description kept) and the {@code gateway-exists} finalizer on every GatewayClass
 * Gantry serves. A class a user points at another controller is left alone after one Event.
 */
final class GatewayClassManager {

    static final String FINALIZER = "gateway-exists-finalizer.gateway.networking.k8s.io";
    static final String MANAGED_BY = ProxyNames.MANAGED_BY;
    static final String MANAGED_BY_VALUE = ProxyNames.MANAGED_BY_VALUE;
    /** At most 64 characters: the CRD's limit for {@code spec.description}, which a real API server enforces. */
    private static final String DESCRIPTION = "Gantry: Envoy proxies per Gateway, configured by sharded xDS";

    private static final Logger LOG = LoggerFactory.getLogger(GatewayClassManager.class);

    private final KubernetesClient client;
    private final GantrySettings settings;
    private final GatewayApiTranslator translator;
    private final EventRecorder events;
    /** Classes handed to another controller by a user, by uid: reported once, then left alone. */
    private final Set<String> released = new HashSet<>();

    GatewayClassManager(
            KubernetesClient client, GantrySettings settings, GatewayApiTranslator translator, EventRecorder events) {
        this.client = client;
        this.settings = settings;
        this.translator = translator;
        this.events = events;
    }

    /** One pass over the classes; call as leader after every batch of changes. */
    void reconcile(ClusterView view) {
        if (settings.manageGatewayClass()) {
            ensureDefault(view.get(Kinds.GATEWAY_CLASS, ObjectKey.cluster(settings.gatewayClassName()))
                    .orElse(null));
        }
        for (GatewayClass gatewayClass : view.list(Kinds.GATEWAY_CLASS)) {
            if (translator.serves(gatewayClass)) {
                boolean inUse = !view.byIndex(
                                Indexes.GATEWAYS_BY_CLASS,
                                gatewayClass.getMetadata().getName())
                        .isEmpty();
                ensureFinalizer(gatewayClass, inUse);
            }
        }
    }

    private void ensureDefault(GatewayClass current) {
        if (current == null) {
            GatewayClass created = new GatewayClassBuilder()
                    .withNewMetadata()
                    .withName(settings.gatewayClassName())
                    .addToLabels(MANAGED_BY, MANAGED_BY_VALUE)
                    .endMetadata()
                    .withNewSpec()
                    .withControllerName(settings.controllerName())
                    .withDescription(DESCRIPTION)
                    .endSpec()
                    .build();
            try {
                client.resource(created).create();
                LOG.info("created GatewayClass {}", settings.gatewayClassName());
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    LOG.warn("could not create GatewayClass {}: {}", settings.gatewayClassName(), e.getMessage());
                }
            }
            return;
        }
        if (current.getMetadata().getDeletionTimestamp() != null) {
            return; // being deleted: re-created once it is gone
        }
        String controllerName =
                current.getSpec() == null ? null : current.getSpec().getControllerName();
        if (!settings.controllerName().equals(controllerName)) {
            if (released.add(current.getMetadata().getUid())) {
                String message = "GatewayClass " + current.getMetadata().getName() + " now names controller '"
                        + controllerName + "'; Gantry (" + settings.controllerName() + ") stops managing it";
                LOG.warn(message);
                events.warning(current, "ControllerNameChanged", message);
            }
            return;
        }
        Map<String, String> labels = current.getMetadata().getLabels();
        if (labels != null && MANAGED_BY_VALUE.equals(labels.get(MANAGED_BY))) {
            return;
        }
        update(current, gc -> {
            Map<String, String> restored = gc.getMetadata().getLabels() == null
                    ? new HashMap<>()
                    : new HashMap<>(gc.getMetadata().getLabels());
            restored.put(MANAGED_BY, MANAGED_BY_VALUE);
            gc.getMetadata().setLabels(restored);
            return true;
        });
    }

    private void ensureFinalizer(GatewayClass gatewayClass, boolean inUse) {
        List<String> finalizers = gatewayClass.getMetadata().getFinalizers();
        boolean has = finalizers != null && finalizers.contains(FINALIZER);
        if (has == inUse || (inUse && gatewayClass.getMetadata().getDeletionTimestamp() != null)) {
            return;
        }
        update(gatewayClass, gc -> {
            List<String> list = gc.getMetadata().getFinalizers() == null
                    ? new ArrayList<>()
                    : new ArrayList<>(gc.getMetadata().getFinalizers());
            boolean changed = inUse ? !list.contains(FINALIZER) && list.add(FINALIZER) : list.remove(FINALIZER);
            gc.getMetadata().setFinalizers(list);
            return changed;
        });
    }

    private interface Edit {
        boolean apply(GatewayClass gatewayClass);
    }

    /** Read-modify-write with the resourceVersion; re-reads and retries on 409. */
    private void update(GatewayClass start, Edit edit) {
        GatewayClass current = client.getKubernetesSerialization().clone(start);
        for (int attempt = 0; attempt < 5 && current != null; attempt++) {
            if (!edit.apply(current)) {
                return;
            }
            try {
                client.resource(current).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    LOG.warn(
                            "could not update GatewayClass {}: {}",
                            start.getMetadata().getName(),
                            e.getMessage());
                    return;
                }
                current = client.resources(GatewayClass.class)
                        .withName(start.getMetadata().getName())
                        .get();
            }
        }
    }
}
