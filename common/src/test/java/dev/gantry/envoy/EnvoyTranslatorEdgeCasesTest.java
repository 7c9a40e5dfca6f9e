package dev.gantry.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.envoy.EnvoyValidator.Violation;
import dev.gantry.kube.ManifestLoader;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.translate.GatewayApiTranslator;
import dev.gantry.translate.GatewayTranslation;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Odd but possible HTTPRoute rules never reach Envoy as resources it would reject: either the translator turns
 * the rule down (the route is not Accepted) or what it builds passes Envoy's own field rules. Several of these
 * once produced invalid resources: an empty regular expression, a line break in a rewritten path, a {@code ?} in
 * a path prefix, an overlong query parameter name. The in-memory API of standalone mode does not enforce the
 * CRDs' schemas, and some of these pass them anyway, so the translator is the last line.
 */
class EnvoyTranslatorEdgeCasesTest {

    private static final String OBJECTS = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata:
        name: gantry
      spec:
        controllerName: gantry.dev/gateway-controller
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata:
        name: edge
        namespace: ns
      spec:
        gatewayClassName: gantry
        addresses:
        - type: IPAddress
          value: 127.0.0.1
        listeners:
        - name: http
          port: 8080
          protocol: HTTP
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: ns
      spec:
        ports:
        - port: 80
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: odd
        namespace: ns
      spec:
        parentRefs:
        - name: edge
        rules:
      """;

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("empty path regular expression", true, """
            - matches:
              - path: {type: RegularExpression, value: ""}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("empty header regular expression", true, """
            - matches:
              - headers: [{name: x-a, type: RegularExpression, value: ""}]
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("empty query regular expression", true, """
            - matches:
              - queryParams: [{name: a, type: RegularExpression, value: ""}]
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("line break in a redirect's full path", true, """
            - filters:
              - type: RequestRedirect
                requestRedirect:
                  path: {type: ReplaceFullPath, replaceFullPath: "/a\\nb"}
            """),
                Arguments.of("line break in a rewritten full path", true, """
            - filters:
              - type: URLRewrite
                urlRewrite:
                  path: {type: ReplaceFullPath, replaceFullPath: "/a\\rb"}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("line break in a rewritten prefix", true, """
            - matches:
              - path: {type: PathPrefix, value: /x}
              filters:
              - type: URLRewrite
                urlRewrite:
                  path: {type: ReplacePrefixMatch, replacePrefixMatch: "/a\\nb"}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("question mark in a path prefix", true, """
            - matches:
              - path: {type: PathPrefix, value: "/a?b"}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("question mark in an exact path", true, """
            - matches:
              - path: {type: Exact, value: "/a?b"}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("query parameter name over 256 characters", true, """
            - matches:
              - queryParams: [{name: "%s", value: v}]
              backendRefs: [{name: web, port: 80}]
            """.formatted("q".repeat(2000))),
                Arguments.of("zero timeouts", false, """
            - timeouts: {request: 0s, backendRequest: 0s}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("no retries and a zero backoff", false, """
            - retry: {attempts: 0, backoff: 0s}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("mirror nothing", false, """
            - filters:
              - type: RequestMirror
                requestMirror: {backendRef: {name: web, port: 80}, percent: 0}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("CORS with a zero max age", false, """
            - filters:
              - type: CORS
                cors:
                  allowOrigins: ["*"]
                  maxAge: 0
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("header matching an empty value", false, """
            - matches:
              - headers: [{name: x-a, value: ""}]
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("percent-encoded path prefix ending in a slash", false, """
            - matches:
              - path: {type: PathPrefix, value: "/caf%C3%A9/"}
              backendRefs: [{name: web, port: 80}]
            """),
                Arguments.of("every backend weighted zero", false, """
            - backendRefs: [{name: web, port: 80, weight: 0}]
            """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void oddRulesAreRejectedOrValid(String description, boolean rejected, String rules) {
        List<HasMetadata> objects = ManifestLoader.parse("odd.yaml", OBJECTS + rules.indent(2)).documents().stream()
                .map(ManifestLoader.Document::object)
                .toList();
        GatewayTranslation translation = new GatewayApiTranslator(TranslatorConfig.defaults())
                .translate(ClusterStore.of(objects), new ObjectKey("ns", "edge"))
                .orElseThrow();
        boolean accepted = translation.routeParents().stream()
                .flatMap(p -> p.status().conditions().stream())
                .filter(c -> c.type().equals("Accepted"))
                .allMatch(ConditionIr::isTrue);
        List<Violation> violations = new EnvoyValidator().validate(new EnvoyTranslator().translate(translation.ir()));
        assertEquals(List.of(), violations);
        assertEquals(rejected, !accepted, "rejected");
    }
}
