package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.view.ClusterStore;
import dev.gantry.view.Dependency;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Clusters built for their first user, dropped with their last, rebuilt when what they read changes. */
class ClusterLedgerTest {

    private static final ObjectKey SERVICE = new ObjectKey("apps", "backend");
    private static final ClusterKey KEY = ClusterKey.of(SERVICE, 8080, false, false);

    private final ClusterStore view = ClusterStore.of(List.of(new ServiceBuilder()
            .withNewMetadata()
            .withName("backend")
            .withNamespace("apps")
            .endMetadata()
            .withNewSpec()
            .addNewPort()
            .withPort(8080)
            .endPort()
            .endSpec()
            .build()));
    private final ReadLedger reads = new ReadLedger();
    private final ClusterLedger ledger = new ClusterLedger(reads);

    @Test
    void aClusterLivesFromItsFirstUserToItsLastAndItsReadsWithIt() {
        ledger.key(KEY);
        ledger.use(view, KEY.name());
        ledger.use(view, KEY.name());
        assertEquals(1, ledger.built().size());
        assertTrue(ledger.takeChanged());
        assertFalse(ledger.takeChanged(), "taken");
        Dependency service = Dependency.object(Kinds.SERVICE, SERVICE);
        assertEquals(Set.of(KEY.name()), ledger.builtFrom(service));
        assertTrue(reads.reads().contains(service));

        ledger.release(KEY.name());
        assertEquals(1, ledger.built().size(), "one user is left");
        ledger.release(KEY.name());
        assertTrue(ledger.built().isEmpty());
        assertTrue(ledger.takeChanged());
        assertNull(ledger.builtFrom(service));
        assertFalse(reads.reads().contains(service), "its reads go with it");
    }

    @Test
    void aRebuildThatChangesNothingIsNoChangeAndAClusterNotInUseIsNotRebuilt() {
        ledger.key(KEY);
        ledger.useAll(view, Map.of(KEY.name(), 2), Integer.MAX_VALUE);
        ledger.takeChanged();
        ClusterBuilder.Built before = ledger.built().iterator().next();
        ledger.rebuild(view, KEY.name());
        assertFalse(ledger.takeChanged());
        assertTrue(before == ledger.built().iterator().next(), "the same instance is kept");

        ledger.rebuild(view, "svc/apps/other/80");
        assertEquals(1, ledger.built().size());
    }
}
