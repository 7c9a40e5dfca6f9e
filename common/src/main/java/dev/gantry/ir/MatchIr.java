package dev.gantry.ir;

import java.util.List;

/**
 * A request match: all parts must match.
 *
 * @param path path match
 * @param headers header matches
 * @param queryParams query parameter matches
 * @param method HTTP method, or null for any
 * @param grpcMethod the gRPC method match the path was made from, or null for HTTP matches; it ranks the match
 */
public record MatchIr(
        PathMatchIr path,
        List<ValueMatchIr> headers,
        List<ValueMatchIr> queryParams,
        String method,
        GrpcMethodIr grpcMethod) {

    public MatchIr {
        headers = List.copyOf(headers);
        queryParams = List.copyOf(queryParams);
    }

    /** An HTTP match. */
    public MatchIr(PathMatchIr path, List<ValueMatchIr> headers, List<ValueMatchIr> queryParams, String method) {
        this(path, headers, queryParams, method, null);
    }

    /**
     * The lengths of a GRPCRoute method match, which rank it: more characters of service first, then of method.
     *
     * @param serviceLength characters in the service (or its pattern), 0 when any service matches
     * @param methodLength characters in the method (or its pattern), 0 when any method matches
     */
    public record GrpcMethodIr(int serviceLength, int methodLength) {}

    /** How the path is matched. */
    public sealed interface PathMatchIr {
        String value();

        /** The whole path equals the value. */
        record Exact(String value) implements PathMatchIr {}

        /** The path starts with the value at a segment boundary. */
        record Prefix(String value) implements PathMatchIr {}

        /** The whole path matches the RE2 regular expression. */
        record Regex(String value) implements PathMatchIr {}
    }

    /**
     * A named value (header or query parameter) matched exactly or by RE2 regular expression.
     *
     * @param name header or parameter name
     * @param value expected value or pattern
     * @param regex whether value is a regular expression
     */
    public record ValueMatchIr(String name, String value, boolean regex) {}
}
