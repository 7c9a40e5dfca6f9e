package dev.gantry.xds.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The make-before-break invariant, fed what serving resources name and what is held. */
class MakeBeforeBreakCheckTest {

    private final MakeBeforeBreakCheck check = new MakeBeforeBreakCheck();

    private static References naming(Set<String> clusters, Set<String> secrets) {
        return new References(clusters, Set.of(), secrets);
    }

    @Test
    void nothingCountsBeforeTheProxyWasFirstWarmAndEverythingAfter() {
        check.count(naming(Set.of("c"), Set.of()), 1);

        check.check("a Cluster response", () -> false, Set.of(), Set.of(), Set.of());
        assertEquals(0, check.violations());

        check.check("a Listener response", () -> true, Set.of(), Set.of(), Set.of());
        check.check("a Route response", () -> false, Set.of(), Set.of(), Set.of());
        assertEquals(2, check.violations());
        assertEquals(
                List.of(
                        "after a Listener response: cluster c (not held)",
                        "after a Route response: cluster c (not held)"),
                check.samples());
    }

    @Test
    void aNamedClusterMustBeHeldWarmAndANamedSecretHeld() {
        check.count(naming(Set.of("warm", "cold"), Set.of("held", "missing")), 1);

        check.check("a Route response", () -> true, Set.of("warm"), Set.of("cold"), Set.of("held"));

        assertEquals(1, check.violations());
        String sample = check.samples().getFirst();
        assertEquals(
                Set.of("cluster cold (warming)", "secret missing (not held)"),
                Set.of(sample.substring("after a Route response: ".length()).split(", ")));
    }

    @Test
    void theUnresolvedBackendIsMeantToFail() {
        check.count(naming(Set.of(MakeBeforeBreakCheck.UNRESOLVED_BACKEND), Set.of()), 1);

        check.check("a Route response", () -> true, Set.of(), Set.of(), Set.of());

        assertEquals(0, check.violations());
    }

    @Test
    void aNameCountsUntilNothingServingNamesIt() {
        References old = naming(Set.of("gone"), Set.of("gone-secret"));
        check.count(old, 1);
        check.count(naming(Set.of("gone", "kept"), Set.of()), 1);
        check.count(old, -1);

        check.check("a Route response", () -> true, Set.of("kept"), Set.of(), Set.of());
        assertEquals(1, check.violations());
        assertEquals(List.of("after a Route response: cluster gone (not held)"), check.samples());
    }

    @Test
    void onlyTheFirstViolationsAreKeptAsSamples() {
        check.count(naming(Set.of("c"), Set.of()), 1);

        for (int i = 0; i < 25; i++) {
            check.check("response " + i, () -> true, Set.of(), Set.of(), Set.of());
        }

        assertEquals(25, check.violations());
        assertEquals(20, check.samples().size());
        assertEquals("after response 19: cluster c (not held)", check.samples().getLast());
    }
}
