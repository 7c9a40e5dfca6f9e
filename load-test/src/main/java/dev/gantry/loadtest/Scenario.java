package dev.gantry.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** One load-test scenario: sets up its world, measures, and fills the run's result and summary. */
interface Scenario {

    void run(Run run) throws Exception;

    /** Every scenario by name, in the order of the documentation. */
    Map<String, Supplier<Scenario>> ALL = all();

    private static Map<String, Supplier<Scenario>> all() {
        Map<String, Supplier<Scenario>> all = new LinkedHashMap<>();
        all.put("listenerset-scale", ListenerSetScaleScenario::new);
        all.put("attach-routes", AttachRoutesScenario::new);
        all.put("route-propagation", () -> new PropagationScenario(false, false));
        all.put("backend-propagation", () -> new PropagationScenario(false, true));
        all.put("fan-out", () -> new PropagationScenario(true, false));
        all.put("shard-scaling", ShardScalingScenario::new);
        all.put("shard-restart", ShardRestartScenario::new);
        all.put("churn", ChurnScenario::new);
        return all;
    }
}
