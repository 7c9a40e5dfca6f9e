package dev.gantry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Keeps the load-test tool working: two small scenarios in this JVM, through the command line, and a check that
 * their JSON results hold sane figures. No latency targets here: CI machines are too noisy for them.
 */
class LoadTestSmokeTest {

    @TempDir
    Path out;

    @Test
    void routePropagationAtOnePercentScale() throws Exception {
        // The controller is exercised by attachFiftyRoutes; without it this one starts and applies its world faster.
        JsonNode result = run(
                "--scenario",
                "route-propagation",
                "--scale",
                "0.01",
                "--proxies",
                "20",
                "--writes",
                "5",
                "--no-controller");
        assertEquals("route-propagation", result.get("scenario").asString());
        assertEquals("in-process", result.get("mode").asString());
        assertEquals(1, result.get("gateways").asInt());
        assertEquals(25, result.get("listenersets").asInt());
        assertEquals(400, result.get("routes").asInt());
        assertEquals(20, result.get("proxies").asInt());
        assertEquals("delta", result.get("protocol").asString());
        assertEquals(0, result.get("missed").asInt());
        JsonNode propagation = result.get("propagation_ms");
        assertEquals(5 * 20, propagation.get("count").asInt(), "every proxy saw every added route");
        assertTrue(propagation.get("p50").asDouble() > 0);
        assertTrue(propagation.get("p99").asDouble() >= propagation.get("p90").asDouble());
        assertTrue(propagation.get("p90").asDouble() >= propagation.get("p50").asDouble());
        assertTrue(result.get("propagation_minus_debounce_ms").get("p50").asDouble()
                <= propagation.get("p50").asDouble());
        assertEquals(50, result.get("debounce_ms").asInt());
        assertTrue(result.get("time_to_ready_ms").asDouble() > 0);
        assertTrue(result.get("time_to_first_config_ms").get("max").asDouble() > 0);
        assertTrue(result.get("bytes_per_push").asLong() > 100, "a route table is more than 100 bytes");
        assertTrue(result.get("pushes_per_client").asDouble() >= 5, "at least one push per added route");
        assertTrue(result.get("heap_after_gc_mib").asDouble() > 1);
        assertTrue(result.get("cpu_seconds").get("process").asDouble() > 0);
        assertTrue(result.get("cpu_seconds").has("shard-0.translation"));
        assertEquals(false, result.get("settings").get("controller").asBoolean());
        assertTrue(result.get("machine").get("cores").asInt() > 0);
        assertTrue(result.get("date").asString().startsWith("20"));
    }

    @Test
    void attachFiftyRoutes() throws Exception {
        JsonNode result = run("--scenario", "attach-routes", "--routes", "50");
        JsonNode attach = result.get("attach");
        assertEquals(50, attach.get("accepted").asInt(), "every route Accepted");
        assertTrue(attach.get("all_accepted_ms").asDouble() > 0);
        assertTrue(attach.get("xds_all_routes_ms").asDouble() > 0, "the proxy got every route");
        long writes = result.get("status_writes").asLong();
        assertTrue(writes >= 50 && writes <= 150, "one status write per route, give or take: " + writes);
        assertEquals(writes / 50.0, result.get("status_writes_per_object").asDouble(), 0.01);
        assertTrue(result.get("cpu_seconds").get("controller").asDouble() > 0);
    }

    private JsonNode run(String... args) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--out", out.toString(), "--no-progress", "--timeout", "60s"));
        int code = LoadTest.run(
                all.toArray(String[]::new), new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
        String printed = stdout.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, code, printed);
        String[] lines = printed.strip().split("\n");
        Path json = Path.of(lines[lines.length - 1]);
        assertTrue(Files.isRegularFile(json), "the last line names the JSON result: " + json);
        String stem = json.getFileName().toString().replace(".json", "");
        assertTrue(Files.isRegularFile(json.resolveSibling(stem + ".html")));
        assertTrue(Files.readString(json.resolveSibling(stem + ".html")).contains("<svg"));
        assertTrue(Files.isRegularFile(json.resolveSibling(stem + ".txt")));
        return Serialization.jsonMapper().readTree(Files.readString(json));
    }
}
