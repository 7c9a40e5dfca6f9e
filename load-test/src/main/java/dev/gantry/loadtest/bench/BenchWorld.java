package dev.gantry.loadtest.bench;

import dev.gantry.loadtest.ScaleWorld;
import dev.gantry.loadtest.TestCertificates;
import dev.gantry.model.ObjectKey;
import dev.gantry.view.ClusterStore;

/** The ListenerSet scale world as an indexed store, for the benchmarks. */
final class BenchWorld {

    static final ObjectKey GATEWAY = ScaleWorld.gatewayKey(0);

    private BenchWorld() {}

    static ScaleWorld world(double scale) {
        return ScaleWorld.listenerSetScale().scaled(scale);
    }

    static ClusterStore store(ScaleWorld world) {
        TestCertificates.Pem pem = TestCertificates.selfSigned("*.example.com");
        return ClusterStore.of(world.all(pem.certificate(), pem.privateKey()));
    }
}
