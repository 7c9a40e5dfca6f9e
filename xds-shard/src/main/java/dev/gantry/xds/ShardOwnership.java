package dev.gantry.xds;

import dev.gantry.config.GantrySettings;
import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;

/**
 * Which Gateways this shard serves, and how to name the owner of the others.
 *
 * @param index this shard's index
 * @param count number of shards
 * @param settings names used to tell a proxy where its owner lives
 */
record ShardOwnership(int index, int count, GantrySettings settings) {

    boolean owns(ObjectKey gateway) {
        return ShardHash.shardOf(gateway, count) == index;
    }

    int ownerOf(ObjectKey gateway) {
        return ShardHash.shardOf(gateway, count);
    }

    /** "shard 2 of 4 (gantry-xds-shard-2.gantry-xds-shards.gantry-system.svc)" or "shard 2 of 4". */
    String describeShard(int shard) {
        String base = "shard " + shard + " of " + count;
        if (settings.shardStatefulSet() != null && settings.shardService() != null) {
            return base + " (" + settings.shardStatefulSet() + "-" + shard + "." + settings.shardService() + "."
                    + settings.namespace() + ".svc." + settings.clusterDomain() + ")";
        }
        return base;
    }
}
