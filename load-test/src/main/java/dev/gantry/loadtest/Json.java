package dev.gantry.loadtest;

import java.util.Collection;
import java.util.Map;

/** A small pretty-printing JSON writer for the results (maps, lists, strings, numbers, booleans, null). */
final class Json {

    private Json() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
        switch (value) {
            case null -> out.append("null");
            case String text -> string(out, text);
            case Double number -> out.append(number.isNaN() || number.isInfinite() ? "null" : decimal(number));
            case Float number -> out.append(number.isNaN() || number.isInfinite() ? "null" : decimal(number));
            case Number number -> out.append(number);
            case Boolean bool -> out.append(bool);
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                boolean inline = map.size() <= 8 && map.values().stream().allMatch(Json::scalar);
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (inline) {
                        out.append(first ? "" : ", ");
                    } else {
                        out.append(first ? "" : ",");
                        newline(out, depth + 1);
                    }
                    first = false;
                    string(out, String.valueOf(entry.getKey()));
                    out.append(": ");
                    write(out, entry.getValue(), depth + 1);
                }
                if (!inline) {
                    newline(out, depth);
                }
                out.append('}');
            }
            case Collection<?> list -> {
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                boolean inline = list.stream()
                        .allMatch(v -> scalar(v)
                                || (v instanceof Collection<?> c
                                        && c.size() <= 4
                                        && c.stream().allMatch(Json::scalar)));
                out.append('[');
                boolean first = true;
                for (Object item : list) {
                    out.append(first ? "" : inline ? ", " : ",");
                    first = false;
                    if (!inline) {
                        newline(out, depth + 1);
                    }
                    write(out, item, depth + 1);
                }
                if (!inline) {
                    newline(out, depth);
                }
                out.append(']');
            }
            case long[] array -> {
                out.append('[');
                for (int i = 0; i < array.length; i++) {
                    out.append(i == 0 ? "" : ", ").append(array[i]);
                }
                out.append(']');
            }
            default -> string(out, value.toString());
        }
    }

    private static boolean scalar(Object value) {
        return value == null || value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    private static String decimal(double number) {
        if (number == Math.rint(number) && Math.abs(number) < 1e15) {
            return Long.toString((long) number);
        }
        return Double.toString(Math.round(number * 1000.0) / 1000.0);
    }

    private static void newline(StringBuilder out, int depth) {
        out.append('\n');
        out.append("  ".repeat(depth));
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
