package dev.gantry.translate;

import dev.gantry.model.ObjectKey;
import dev.gantry.status.ObjectStatusIr;
import java.util.Map;

/**
 * Translation of every Gantry Gateway in the cluster, with status gathered per object: what the controller
 * compares against the API server.
 *
 * @param gateways per-Gateway results
 * @param statuses desired status of every object Gantry manages status for
 */
public record ClusterTranslation(Map<ObjectKey, GatewayTranslation> gateways, Map<StatusKey, ObjectStatusIr> statuses) {

    public ClusterTranslation {
        gateways = Map.copyOf(gateways);
        statuses = Map.copyOf(statuses);
    }
}
