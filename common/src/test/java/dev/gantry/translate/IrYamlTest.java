package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.ir.ActionIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.ir.WeightedClusterIr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IrYamlTest {

    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n";
    private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBuDCCAV6g\n-----END CERTIFICATE-----\n";

    @Test
    void privateKeysAreRedactedAndCertificatesDigested() {
        Object tree = IrYaml.tree(new SecretIr.Certificate("cert/ns/name", CERTIFICATE, KEY));

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("type", "Certificate");
        expected.put("name", "cert/ns/name");
        expected.put(
                "certificateChainPem",
                IrYaml.tree(new SecretIr.TrustedCa("x", CERTIFICATE)) instanceof Map<?, ?> ca ? ca.get("caPem") : null);
        expected.put("privateKeyPem", "<redacted>");
        assertEquals(expected, tree);
        assertTrue(tree.toString().contains("sha256:"), tree.toString());
        assertFalse(tree.toString().contains("BEGIN"), tree.toString());
    }

    @Test
    void componentsInOrderWithTheVariantNamedAndNothingEmpty() {
        Object tree = IrYaml.tree(new ActionIr.Forward(List.of(WeightedClusterIr.of("c", 0)), null, null));

        Map<String, Object> backend = new LinkedHashMap<>();
        backend.put("cluster", "c");
        backend.put("weight", 0);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("type", "Forward");
        expected.put("backends", List.of(backend));
        assertEquals(expected, tree);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(((Map<?, ?>) tree).keySet()));
        assertEquals(Map.of(), IrYaml.tree(HeaderEditsIr.NONE));
    }

    @Test
    void unorderedValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> IrYaml.tree(Set.of("a", "b")));
    }
}
