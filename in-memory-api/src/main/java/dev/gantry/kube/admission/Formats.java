package dev.gantry.kube.admission;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The string formats the API server checks ({@code format:} in a schema, Kubernetes' CEL format library and IP
 * functions), parsed without any name lookup.
 */
final class Formats {

    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DATE_TIME =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([Zz]|[+-]\\d{2}:\\d{2})?");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9a-fA-F]{1,4}");

    private Formats() {}

    static List<String> dns1123Label(String s) {
        if (s.length() > 63) {
            return List.of("must be no more than 63 characters");
        }
        return DNS1123_LABEL.matcher(s).matches()
                ? List.of()
                : List.of(
                        "a lowercase RFC 1123 label must consist of"
                                + " lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
    }

    static List<String> dns1123Subdomain(String s) {
        if (s.length() > 253) {
            return List.of("must be no more than 253 characters");
        }
        return DNS1123_SUBDOMAIN.matcher(s).matches()
                ? List.of()
                : List.of(
                        "a lowercase RFC 1123 subdomain must consist"
                                + " of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
    }

    static List<String> dns1035Label(String s) {
        if (s.length() > 63) {
            return List.of("must be no more than 63 characters");
        }
        return DNS1035_LABEL.matcher(s).matches()
                ? List.of()
                : List.of("a DNS-1035 label must consist of lower case"
                        + " alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric"
                        + " character");
    }

    static List<String> labelValue(String s) {
        if (s.length() > 63) {
            return List.of("must be no more than 63 characters");
        }
        return LABEL_VALUE.matcher(s).matches()
                ? List.of()
                : List.of(
                        "a valid label must be an empty string or consist"
                                + " of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
    }

    static List<String> qualifiedName(String s) {
        String name = s;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            if (s.indexOf('/', slash + 1) >= 0
                    || slash == 0
                    || !dns1123Subdomain(s.substring(0, slash)).isEmpty()) {
                return List.of("a qualified name must consist of an optional DNS subdomain prefix and a name");
            }
            name = s.substring(slash + 1);
        }
        if (name.isEmpty()
                || name.length() > 63
                || !QUALIFIED_NAME_PART.matcher(name).matches()) {
            return List.of("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end"
                    + " with an alphanumeric character");
        }
        return List.of();
    }

    static List<String> uuid(String s) {
        return UUID.matcher(s).matches() ? List.of() : List.of("does not match the UUID format");
    }

    static boolean isDateTime(String s) {
        return DATE_TIME.matcher(s).matches();
    }

    /** Dotted decimal, no leading zeros (as Go's parser since 1.17). */
    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < part.length(); i++) {
                if (!Character.isDigit(part.charAt(i))) {
                    return false;
                }
            }
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4291 text form, an embedded IPv4 tail allowed, no zone. */
    static boolean isIpv6(String s) {
        if (!s.contains(":") || s.contains("%")) {
            return false;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
        String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
        int groups = 0;
        String[][] halves = {
            head.isEmpty() ? new String[0] : head.split(":", -1), tail.isEmpty() ? new String[0] : tail.split(":", -1)
        };
        for (int h = 0; h < 2; h++) {
            String[] parts = halves[h];
            for (int i = 0; i < parts.length; i++) {
                boolean last = (h == 1 || doubleColon < 0) && i == parts.length - 1;
                if (last && parts[i].contains(".")) {
                    if (!isIpv4(parts[i])) {
                        return false;
                    }
                    groups += 2;
                } else if (HEX_GROUP.matcher(parts[i]).matches()) {
                    groups++;
                } else {
                    return false;
                }
            }
        }
        return doubleColon >= 0 ? groups < 8 : groups == 8;
    }

    static boolean isCidr(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String ip = s.substring(0, slash);
        String bits = s.substring(slash + 1);
        if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int prefix = Integer.parseInt(bits);
        return isIpv4(ip) ? prefix <= 32 : isIpv6(ip) && prefix <= 128;
    }

    static boolean isUrl(String s) {
        try {
            URI uri = new URI(s);
            return uri.getScheme() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
