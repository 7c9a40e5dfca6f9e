package dev.gantry.translate;

/** Remembers the first reference that failed to resolve, for the route's ResolvedRefs condition. */
final class RefsTracker {
    String reason;
    String message;

    void fail(String failReason, String failMessage) {
        if (reason == null && failReason != null) {
            reason = failReason;
            message = failMessage;
        }
    }
}
