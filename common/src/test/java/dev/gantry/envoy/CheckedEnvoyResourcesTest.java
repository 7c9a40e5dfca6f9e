package dev.gantry.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.ir.ActionIr;
import dev.gantry.ir.FilterChainIr;
import dev.gantry.ir.GatewayIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.RouteIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.VirtualHostIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.model.ObjectKey;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckedEnvoyResourcesTest {

    private static GatewayIr ir(String table, String cluster) {
        RouteIr route = new RouteIr(
                "r",
                new MatchIr(new MatchIr.PathMatchIr.Prefix("/"), List.of(), List.of(), null),
                new ActionIr.Forward(List.of(WeightedClusterIr.of(cluster, 1)), null, null),
                HeaderEditsIr.NONE,
                HeaderEditsIr.NONE,
                List.of(),
                null,
                null,
                null);
        RouteTableIr routes = new RouteTableIr(table, List.of(new VirtualHostIr("*", List.of("*"), List.of(route))));
        PortIr port = new PortIr(
                80, PortIr.Transport.TCP, List.of(new FilterChainIr.Http("http", List.of(), List.of(), table)));
        return new GatewayIr(new ObjectKey("a", "gw"), List.of(port), List.of(routes), List.of(), List.of());
    }

    @Test
    void aResourceBreakingEnvoysRulesIsHeldBackAndItsLastGoodVersionServed() {
        CheckedEnvoyResources checked = new CheckedEnvoyResources(new EnvoyTranslator(), new EnvoyValidator());

        CheckedEnvoyResources.Result bad = checked.build(ir("http-80", ""));
        assertEquals(1, bad.violations().size(), bad.violations().toString());
        assertEquals("http-80", bad.violations().getFirst().resourceName());
        assertEquals(List.of(), bad.served().routes(), "never served: no last good version to fall back to");
        assertEquals(1, bad.served().listeners().size(), "the rest of the Gateway is served");

        CheckedEnvoyResources.Result good = checked.build(ir("http-80", "svc/a/b/80"));
        assertEquals(List.of(), good.violations());
        assertEquals(
                "svc/a/b/80",
                good.served()
                        .routes()
                        .getFirst()
                        .resource()
                        .getVirtualHosts(0)
                        .getRoutes(0)
                        .getRoute()
                        .getCluster());

        CheckedEnvoyResources.Result badAgain = checked.build(ir("http-80", ""));
        assertEquals(1, badAgain.violations().size());
        RouteConfiguration served = badAgain.served().routes().getFirst().resource();
        assertEquals(
                "svc/a/b/80",
                served.getVirtualHosts(0).getRoutes(0).getRoute().getCluster(),
                "the last good version stays");
        assertTrue(badAgain.served().version().equals(good.served().version()), "nothing changes for the proxies");
    }
}
