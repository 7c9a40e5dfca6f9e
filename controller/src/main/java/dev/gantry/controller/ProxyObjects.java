package dev.gantry.controller;

import dev.gantry.envoy.ContentHash;
import dev.gantry.ir.PortIr;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.ProxyNames;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.translate.ExposedPort;
import dev.gantry.translate.ProxyParameters;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects of one Gateway's Envoy fleet, as Gantry wants them. Pure: the same Gateway, parameters, ports and
 * xDS target give the same objects.
 *
 * @param serviceAccount the proxies' identity (no API token mounted)
 * @param bootstrap ConfigMap holding the Envoy bootstrap and the file-based SDS resources naming the credential
 * @param deployment the Envoy Deployment; its pod template carries a hash of the bootstrap, so a changed
 *     bootstrap rolls the pods and an unchanged one does not
 * @param service the proxy Service exposing every listener port, or null while the Gateway has no port
 */
record ProxyObjects(ServiceAccount serviceAccount, ConfigMap bootstrap, Deployment deployment, Service service) {

    static final String BOOTSTRAP_HASH = "gantry.dev/bootstrap-hash";
    static final String APP = "app.kubernetes.io/name";
    static final String APP_VALUE = "gantry-proxy";
    static final String INSTANCE = "app.kubernetes.io/instance";
    static final String BOOTSTRAP_FILE = "bootstrap.yaml";
    /** The uid the Envoy image runs as. */
    static final long ENVOY_USER = 101L;
    /** Where the bootstrap and its SDS files are mounted (the ConfigMap). */
    static final String CONFIG_DIRECTORY = "/etc/envoy";
    /** Where the Gateway's xDS credential is mounted (its Secret: tls.crt, tls.key, ca.crt). */
    static final String CREDENTIAL_DIRECTORY = "/etc/gantry/xds";

    List<HasMetadata> all() {
        List<HasMetadata> all = new ArrayList<>(List.of(serviceAccount, bootstrap, deployment));
        if (service != null) {
            all.add(service);
        }
        return all;
    }

    /**
     * @param gateway the Gateway (for name, uid and {@code spec.infrastructure})
     * @param parameters resolved proxy parameters
     * @param ports the ports of the Gateway's valid listeners
     * @param xdsHost the owner shard's host
     * @param xdsPort the ADS port
     * @param pullPolicy image pull policy of the proxies
     * @param tls whether proxies connect over TLS with their Gateway's credential (false only with the unsafe
     *     plaintext opt-out)
     */
    static ProxyObjects build(
            Gateway gateway,
            ProxyParameters parameters,
            List<ExposedPort> ports,
            String xdsHost,
            int xdsPort,
            String pullPolicy,
            boolean tls) {
        ObjectKey key = ObjectKey.of(gateway);
        String name = ProxyNames.proxyName(key);
        Map<String, String> infraLabels = new TreeMap<>();
        Map<String, String> infraAnnotations = new TreeMap<>();
        if (gateway.getSpec().getInfrastructure() != null) {
            if (gateway.getSpec().getInfrastructure().getLabels() != null) {
                infraLabels.putAll(gateway.getSpec().getInfrastructure().getLabels());
            }
            if (gateway.getSpec().getInfrastructure().getAnnotations() != null) {
                infraAnnotations.putAll(gateway.getSpec().getInfrastructure().getAnnotations());
            }
        }
        Map<String, String> selector = new TreeMap<>(Map.of(APP, APP_VALUE, INSTANCE, name));
        Map<String, String> labels = new TreeMap<>(infraLabels);
        labels.putAll(selector);
        labels.put(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE);
        labels.put(ProxyNames.GATEWAY_NAME, ProxyNames.gatewayLabel(key));
        OwnerReference owner = new OwnerReferenceBuilder()
                .withApiVersion("gateway.networking.k8s.io/v1")
                .withKind("Gateway")
                .withName(gateway.getMetadata().getName())
                .withUid(gateway.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();

        ServiceAccount serviceAccount = new ServiceAccountBuilder()
                .withMetadata(meta(name, key.namespace(), labels, infraAnnotations, owner))
                .withAutomountServiceAccountToken(false)
                .build();

        Map<String, String> files = EnvoyBootstrap.files(
                BOOTSTRAP_FILE,
                key,
                null,
                xdsHost,
                xdsPort,
                tls ? new EnvoyBootstrap.Paths(CONFIG_DIRECTORY, CREDENTIAL_DIRECTORY) : null);
        ConfigMap bootstrap = new ConfigMapBuilder()
                .withMetadata(meta(name, key.namespace(), labels, infraAnnotations, owner))
                .withData(new TreeMap<>(files))
                .build();
        String bootstrapYaml = String.join("\n", new TreeMap<>(files).values());

        Map<String, String> podLabels = new TreeMap<>(parameters.podLabels());
        podLabels.putAll(labels);
        Map<String, String> podAnnotations = new TreeMap<>(infraAnnotations);
        podAnnotations.putAll(parameters.podAnnotations());
        podAnnotations.put(BOOTSTRAP_HASH, new ContentHash().add(bootstrapYaml).hex());
        List<ContainerPort> containerPorts = new ArrayList<>();
        for (ExposedPort port : ports) {
            containerPorts.add(new ContainerPortBuilder()
                    .withName(port.name())
                    .withContainerPort(port.port())
                    .withProtocol(port.transport() == PortIr.Transport.UDP ? "UDP" : "TCP")
                    .build());
        }
        containerPorts.add(new ContainerPortBuilder()
                .withName("readiness")
                .withContainerPort(EnvoyBootstrap.READINESS_PORT)
                .withProtocol("TCP")
                .build());
        Deployment deployment = new DeploymentBuilder()
                .withMetadata(meta(name, key.namespace(), labels, infraAnnotations, owner))
                .withNewSpec()
                .withReplicas(parameters.replicas())
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(podLabels)
                .withAnnotations(podAnnotations)
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(name)
                .withAutomountServiceAccountToken(false)
                .withTerminationGracePeriodSeconds(30L)
                .addNewContainer()
                .withName("envoy")
                .withImage(parameters.image())
                .withImagePullPolicy(pullPolicy)
                .withArgs(
                        "-c",
                        CONFIG_DIRECTORY + "/" + BOOTSTRAP_FILE,
                        "--service-node",
                        "$(POD_NAME)",
                        "--log-level",
                        "info",
                        "--drain-time-s",
                        "15")
                .addNewEnv()
                .withName("POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .withPorts(containerPorts)
                .withResources(parameters.resources())
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/ready")
                .withPort(new IntOrString(EnvoyBootstrap.READINESS_PORT))
                .endHttpGet()
                .withPeriodSeconds(5)
                .withFailureThreshold(3)
                .endReadinessProbe()
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(ENVOY_USER)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .withAdd("NET_BIND_SERVICE")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("bootstrap")
                .withMountPath(CONFIG_DIRECTORY)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("tmp")
                .withMountPath("/tmp")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("bootstrap")
                .withNewConfigMap()
                .withName(name)
                .endConfigMap()
                .endVolume()
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();

        if (tls) {
            // The credential Secret, readable by Envoy's user through the pod's group and by no one else.
            var pod = deployment.getSpec().getTemplate().getSpec();
            pod.setSecurityContext(
                    new PodSecurityContextBuilder().withFsGroup(ENVOY_USER).build());
            pod.getContainers()
                    .getFirst()
                    .getVolumeMounts()
                    .add(new VolumeMountBuilder()
                            .withName("xds-credential")
                            .withMountPath(CREDENTIAL_DIRECTORY)
                            .withReadOnly(true)
                            .build());
            pod.getVolumes()
                    .add(new VolumeBuilder()
                            .withName("xds-credential")
                            .withNewSecret()
                            .withSecretName(CredentialSecrets.proxyCredentialName(key))
                            .withDefaultMode(0440)
                            .endSecret()
                            .build());
        }

        Service service = null;
        if (!ports.isEmpty()) {
            List<ServicePort> servicePorts = new ArrayList<>();
            for (ExposedPort port : ports) {
                servicePorts.add(new ServicePortBuilder()
                        .withName(port.name())
                        .withPort(port.port())
                        .withTargetPort(new IntOrString(port.port()))
                        .withProtocol(port.transport() == PortIr.Transport.UDP ? "UDP" : "TCP")
                        .build());
            }
            Map<String, String> serviceAnnotations = new TreeMap<>(infraAnnotations);
            serviceAnnotations.putAll(parameters.serviceAnnotations());
            service = new ServiceBuilder()
                    .withMetadata(meta(name, key.namespace(), labels, serviceAnnotations, owner))
                    .withNewSpec()
                    .withType(parameters.serviceType())
                    .withSelector(selector)
                    .withPorts(servicePorts)
                    .endSpec()
                    .build();
        }
        return new ProxyObjects(serviceAccount, bootstrap, deployment, service);
    }

    private static ObjectMeta meta(
            String name,
            String namespace,
            Map<String, String> labels,
            Map<String, String> annotations,
            OwnerReference owner) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(new LinkedHashMap<>(labels))
                .withAnnotations(new LinkedHashMap<>(annotations))
                .withOwnerReferences(owner)
                .build();
    }
}
