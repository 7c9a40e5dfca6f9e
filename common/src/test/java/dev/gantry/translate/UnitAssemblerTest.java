package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.ir.FilterChainIr;
import dev.gantry.model.ObjectKey;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Units assembled from their listeners when no route is placed yet: what a port or table holds of its own. */
class UnitAssemblerTest {

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static GatewayPlan plan() {
        List<HasMetadata> objects = List.of(
                new GatewayClassBuilder()
                        .withNewMetadata()
                        .withName("gantry")
                        .endMetadata()
                        .withNewSpec()
                        .withControllerName(TranslatorConfig.defaults().controllerName())
                        .endSpec()
                        .build(),
                new SecretBuilder()
                        .withNewMetadata()
                        .withName("cert")
                        .withNamespace("infra")
                        .endMetadata()
                        .withType("kubernetes.io/tls")
                        .withData(Map.of("tls.crt", b64(TestPem.CERTIFICATE), "tls.key", b64(TestPem.PRIVATE_KEY)))
                        .build(),
                new GatewayBuilder()
                        .withNewMetadata()
                        .withName("gw")
                        .withNamespace("infra")
                        .withGeneration(1L)
                        .endMetadata()
                        .withNewSpec()
                        .withGatewayClassName("gantry")
                        .addNewListener()
                        .withName("catch-all")
                        .withPort(443)
                        .withProtocol("HTTPS")
                        .withNewTls()
                        .addNewCertificateRef()
                        .withName("cert")
                        .endCertificateRef()
                        .endTls()
                        .endListener()
                        .addNewListener()
                        .withName("api")
                        .withPort(443)
                        .withProtocol("HTTPS")
                        .withHostname("api.example.com")
                        .withNewTls()
                        .addNewCertificateRef()
                        .withName("cert")
                        .endCertificateRef()
                        .endTls()
                        .endListener()
                        .addNewListener()
                        .withName("tcp")
                        .withPort(9000)
                        .withProtocol("TCP")
                        .endListener()
                        .endSpec()
                        .build());
        return GatewayPlanner.plan(ClusterStore.of(objects), new ObjectKey("infra", "gw"), TranslatorConfig.defaults());
    }

    @Test
    void aTlsPortHoldsOneHttpsChainPerHostnameTheSpecificOnesFirst() {
        GatewayPlan plan = plan();
        Unit port = new Unit.Port("00443/tcp");
        UnitAssembler.Built built = UnitAssembler.assemble(
                port,
                plan.units().members().get(port),
                l -> List.of(),
                plan.units().httpsClaims());
        assertEquals(
                List.of("https-api.example.com", "https-*"),
                built.port().filterChains().stream().map(FilterChainIr::name).toList());
        assertEquals(1, built.secrets().size(), "both chains serve the one certificate");
        assertTrue(built.used().isEmpty());
        assertNull(built.table());
    }

    @Test
    void anHttpsTableAndAnL4PortWithoutRoutesAreEmpty() {
        GatewayPlan plan = plan();
        Unit.Table table = (Unit.Table) plan.units().members().keySet().stream()
                .filter(u -> u instanceof Unit.Table t && t.name().contains("api.example.com"))
                .findFirst()
                .orElseThrow();
        UnitAssembler.Built built = UnitAssembler.assemble(
                table,
                plan.units().members().get(table),
                l -> List.of(),
                plan.units().httpsClaims());
        assertEquals(table.name(), built.table().name());
        assertNull(built.port());

        Unit tcp = new Unit.Port("09000/tcp");
        UnitAssembler.Built none = UnitAssembler.assemble(
                tcp,
                plan.units().members().get(tcp),
                l -> List.of(),
                plan.units().httpsClaims());
        assertNull(none.port(), "a TCP port without a route has no chain to serve");
    }
}
