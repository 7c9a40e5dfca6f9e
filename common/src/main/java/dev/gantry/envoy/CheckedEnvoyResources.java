package dev.gantry.envoy;

import com.google.protobuf.Message;
import dev.gantry.ir.GatewayIr;
import dev.gantry.runtime.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Gateway's Envoy resources, checked against Envoy's own field rules before they are served. A resource
 * that breaks a rule is not served: its last good version stays (or it stays absent), so one bad route table
 * never takes down the rest of the Gateway's configuration. Shards serve {@link Result#served()}; the controller
 * reports {@link Result#violations()} in the Gateway's status, so both agree. Not thread-safe.
 */
public final class CheckedEnvoyResources {

    /**
     * @param served what proxies should get
     * @param violations the rule violations of resources held back, empty when everything is served as built
     */
    public record Result(EnvoyResources served, List<EnvoyValidator.Violation> violations) {
        public Result {
            violations = List.copyOf(violations);
        }
    }

    private final EnvoyResourcesBuilder builder;
    private final EnvoyValidator validator;
    /** Built resources Envoy would reject, with why (identity: the builder reuses instances). */
    private final Map<EnvoyResources.Versioned<?>, List<EnvoyValidator.Violation>> rejected = new IdentityHashMap<>();

    private EnvoyResources lastServed = new EnvoyResources(List.of(), List.of(), List.of(), List.of(), List.of());

    public CheckedEnvoyResources(EnvoyTranslator translator, EnvoyValidator validator) {
        this.builder = new EnvoyResourcesBuilder(translator);
        this.validator = validator;
    }

    public Result build(GatewayIr ir) {
        EnvoyResources built = builder.build(ir);
        // After a cold start every resource is new: they are checked side by side (the validator is thread-safe).
        List<EnvoyResources.Versioned<?>> fresh = builder.lastBuilt();
        List<List<EnvoyValidator.Violation>> found =
                Parallel.map(fresh, EnvoyTranslator.IN_PARALLEL, resource -> validator.validate(resource.resource()));
        for (int i = 0; i < fresh.size(); i++) {
            if (!found.get(i).isEmpty()) {
                rejected.put(fresh.get(i), found.get(i));
            }
        }
        if (rejected.isEmpty()) {
            lastServed = built;
            return new Result(built, List.of());
        }
        Set<EnvoyResources.Versioned<?>> present = Collections.newSetFromMap(new IdentityHashMap<>());
        List<EnvoyValidator.Violation> violations = new ArrayList<>();
        EnvoyResources served = new EnvoyResources(
                substitute(built.listeners(), lastServed.listeners(), present, violations),
                substitute(built.routes(), lastServed.routes(), present, violations),
                substitute(built.clusters(), lastServed.clusters(), present, violations),
                substitute(built.endpoints(), lastServed.endpoints(), present, violations),
                substitute(built.secrets(), lastServed.secrets(), present, violations));
        rejected.keySet().retainAll(present);
        lastServed = served;
        return new Result(served, violations);
    }

    private <T extends Message> List<EnvoyResources.Versioned<T>> substitute(
            List<EnvoyResources.Versioned<T>> built,
            List<EnvoyResources.Versioned<T>> previous,
            Set<EnvoyResources.Versioned<?>> present,
            List<EnvoyValidator.Violation> violations) {
        Map<String, EnvoyResources.Versioned<T>> previousByName = null;
        List<EnvoyResources.Versioned<T>> result = new ArrayList<>(built.size());
        for (EnvoyResources.Versioned<T> resource : built) {
            List<EnvoyValidator.Violation> why = rejected.get(resource);
            if (why == null) {
                result.add(resource);
                continue;
            }
            present.add(resource);
            violations.addAll(why);
            if (previousByName == null) {
                previousByName = new HashMap<>();
                for (EnvoyResources.Versioned<T> old : previous) {
                    previousByName.put(old.name(), old);
                }
            }
            EnvoyResources.Versioned<T> lastGood = previousByName.get(resource.name());
            if (lastGood != null) {
                result.add(lastGood);
            }
        }
        return result;
    }
}
