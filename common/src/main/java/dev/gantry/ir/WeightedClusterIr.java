package dev.gantry.ir;

/**
 * A weighted backend.
 *
 * @param cluster cluster name, or null when the backend reference did not resolve (its share answers 500)
 * @param weight relative weight
 * @param requestHeaders header edits for requests sent to this backend
 * @param responseHeaders header edits for responses from this backend
 */
public record WeightedClusterIr(
        String cluster, int weight, HeaderEditsIr requestHeaders, HeaderEditsIr responseHeaders) {

    public static WeightedClusterIr of(String cluster, int weight) {
        return new WeightedClusterIr(cluster, weight, HeaderEditsIr.NONE, HeaderEditsIr.NONE);
    }

    public boolean resolved() {
        return cluster != null;
    }
}
