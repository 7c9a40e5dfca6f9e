package dev.gantry.translate;

/** Signals a route rule that cannot be served, with the reason the route's status gives for it. */
final class InvalidRoute extends Exception {
    final String reason;

    InvalidRoute(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }
}
