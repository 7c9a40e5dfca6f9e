package dev.gantry.kube.admission;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Property names as Kubernetes exposes them to CEL: a name that is a CEL reserved word becomes
 * {@code __name__} (so the Gateway API's rules read {@code p.__namespace__}), and {@code __ . - /} are spelled
 * out. Map keys (additionalProperties) are never escaped.
 */
final class CelNames {

    private static final Set<String> RESERVED = Set.of(
            "true",
            "false",
            "null",
            "in",
            "as",
            "break",
            "const",
            "continue",
            "else",
            "for",
            "function",
            "if",
            "import",
            "let",
            "loop",
            "package",
            "namespace",
            "return",
            "var",
            "void",
            "while");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private CelNames() {}

    static String escape(String name) {
        if (RESERVED.contains(name)) {
            return "__" + name + "__";
        }
        if (IDENTIFIER.matcher(name).matches() && !name.contains("__")) {
            return name;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_' && i + 1 < name.length() && name.charAt(i + 1) == '_') {
                out.append("__underscores__");
                i++;
            } else if (c == '.') {
                out.append("__dot__");
            } else if (c == '-') {
                out.append("__dash__");
            } else if (c == '/') {
                out.append("__slash__");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
