package dev.gantry.pki;

import dev.gantry.model.ObjectKey;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whom a proxy credential speaks for: exactly one Gateway, by namespace, name and uid. The uid makes the
 * credential of a deleted Gateway useless for a new Gateway of the same name. It travels in the client
 * certificate as a SPIFFE-style URI subject alternative name,
 * {@code spiffe://gantry.dev/ns/<namespace>/gateways/<name>/uid/<uid>}.
 *
 * @param gateway the Gateway's namespace and name
 * @param uid the Gateway's {@code metadata.uid}
 */
public record ProxyIdentity(ObjectKey gateway, String uid) {

    private static final String PREFIX = "spiffe://gantry.dev/ns/";
    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern URI =
            Pattern.compile(Pattern.quote(PREFIX) + "([^/]+)/gateways/([^/]+)/uid/([-A-Za-z0-9]+)");

    public ProxyIdentity {
        if (gateway.namespace().isEmpty()
                || !SEGMENT.matcher(gateway.namespace()).matches()
                || !SEGMENT.matcher(gateway.name()).matches()) {
            throw new IllegalArgumentException(
                    "a proxy identity names a Gateway as <namespace>/<name> of DNS labels," + " got '" + gateway + "'");
        }
        if (uid == null || !uid.matches("[-A-Za-z0-9]+")) {
            throw new IllegalArgumentException("a proxy identity needs the Gateway's uid");
        }
    }

    public String uri() {
        return PREFIX + gateway.namespace() + "/gateways/" + gateway.name() + "/uid/" + uid;
    }

    /** The identity a URI names, or empty when it is not a Gantry proxy identity. */
    public static Optional<ProxyIdentity> fromUri(String uri) {
        Matcher matcher = URI.matcher(uri);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProxyIdentity(new ObjectKey(matcher.group(1), matcher.group(2)), matcher.group(3)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
