package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathMatchValidationTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "/a/b",
                "/v1/Items-2_x~y",
                "/a/b.json",
                "/%7Euser",
                "/a:b@c",
                "/a/.well-known",
                "/a..b",
                "/a/b/"
            })
    void normalizedPathsAreAccepted(String value) throws Exception {
        PathMatchIr path =
                HttpRouteMatches.match("spec.rules[0].matches[0]", exact(value)).path();
        assertEquals(new PathMatchIr.Exact(value), path);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a/b | must start with /",
                "/a//b | is not a normalized path",
                "// | is not a normalized path",
                "/a/./b | is not a normalized path",
                "/a/../b | is not a normalized path",
                "/a/.. | is not a normalized path",
                "/a/. | is not a normalized path",
                "/a%2fb | is not a normalized path",
                "/a%2Fb | is not a normalized path",
                "/a#b | is not a normalized path",
                "'/a b' | contains a control character or space",
                "/a?b | percent-encode it",
                "/caf\u00e9 | percent-encode it",
                "/a%zz | percent-encode it"
            })
    void otherPathsAreRejectedWithTheRuleTheyBreak(String value, String problem) {
        InvalidRoute invalid = assertThrows(
                InvalidRoute.class, () -> HttpRouteMatches.match("spec.rules[0].matches[0]", exact(value)));
        assertEquals(Reasons.UNSUPPORTED_VALUE, invalid.reason);
        assertTrue(invalid.getMessage().contains(problem), invalid.getMessage());
    }

    private static HTTPRouteMatch exact(String value) {
        HTTPRouteMatch match = new HTTPRouteMatch();
        match.setPath(new HTTPPathMatch("Exact", value));
        return match;
    }
}
