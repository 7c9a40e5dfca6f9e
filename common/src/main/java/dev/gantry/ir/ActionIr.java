package dev.gantry.ir;

import java.util.List;

/** What a route does with a matching request. */
public sealed interface ActionIr {

    /**
     * Forwards to weighted backends. Backends whose reference did not resolve keep their weight but answer 500.
     *
     * @param backends weighted clusters (a null cluster name marks an unresolved backend)
     * @param hostRewrite replacement Host header, or null
     * @param pathRewrite path rewrite, or null
     */
    record Forward(List<WeightedClusterIr> backends, String hostRewrite, PathRewriteIr pathRewrite)
            implements ActionIr {
        public Forward {
            backends = List.copyOf(backends);
        }
    }

    /**
     * Answers with a redirect.
     *
     * @param scheme new scheme, or null to keep it
     * @param hostname new host, or null to keep it
     * @param path path rewrite, or null to keep it
     * @param port new port, or null (derived from the scheme when it changes)
     * @param statusCode 301, 302, 303, 307 or 308
     */
    record Redirect(String scheme, String hostname, PathRewriteIr path, Integer port, int statusCode)
            implements ActionIr {}

    /** Answers directly with a status code and optional body. */
    record DirectResponse(int status, String body) implements ActionIr {}

    /** A path rewrite: the whole path, or the prefix that matched. */
    sealed interface PathRewriteIr {
        /** Replaces the whole path. */
        record FullPath(String path) implements PathRewriteIr {}

        /**
         * Replaces the matched prefix.
         *
         * @param matchedPrefix the prefix of the route's path match
         * @param replacement what replaces it
         */
        record PrefixMatch(String matchedPrefix, String replacement) implements PathRewriteIr {}
    }
}
