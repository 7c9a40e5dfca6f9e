package dev.gantry.status;

/** Condition types and reasons of the Gateway API (v1.6.1), as constants so typos cannot compile. */
public final class Reasons {

    // Condition types.
    public static final String ACCEPTED = "Accepted";
    public static final String PROGRAMMED = "Programmed";
    public static final String RESOLVED_REFS = "ResolvedRefs";
    public static final String CONFLICTED = "Conflicted";
    public static final String PARTIALLY_INVALID = "PartiallyInvalid";
    public static final String INSECURE_FRONTEND_VALIDATION_MODE = "InsecureFrontendValidationMode";

    // Reasons.
    public static final String PENDING = "Pending";
    public static final String INVALID = "Invalid";
    public static final String INVALID_PARAMETERS = "InvalidParameters";
    public static final String LISTENERS_NOT_VALID = "ListenersNotValid";
    public static final String UNSUPPORTED_ADDRESS = "UnsupportedAddress";
    public static final String ADDRESS_NOT_ASSIGNED = "AddressNotAssigned";
    public static final String ADDRESS_NOT_USABLE = "AddressNotUsable";
    public static final String NOT_ALLOWED = "NotAllowed";
    public static final String PARENT_NOT_ACCEPTED = "ParentNotAccepted";
    public static final String UNSUPPORTED_PROTOCOL = "UnsupportedProtocol";
    public static final String UNSUPPORTED_VALUE = "UnsupportedValue";
    public static final String PORT_UNAVAILABLE = "PortUnavailable";
    public static final String TOO_MANY_LISTENERS = "TooManyListeners";
    public static final String PROTOCOL_CONFLICT = "ProtocolConflict";
    public static final String OVERLAPPING_TLS_CONFIG = "OverlappingTLSConfig";
    public static final String OVERLAPPING_HOSTNAMES = "OverlappingHostnames";
    public static final String OVERLAPPING_CERTIFICATES = "OverlappingCertificates";
    public static final String HOSTNAME_CONFLICT = "HostnameConflict";
    public static final String NO_CONFLICTS = "NoConflicts";
    public static final String INVALID_CERTIFICATE_REF = "InvalidCertificateRef";
    public static final String INVALID_ROUTE_KINDS = "InvalidRouteKinds";
    public static final String REF_NOT_PERMITTED = "RefNotPermitted";
    public static final String NOT_ALLOWED_BY_LISTENERS = "NotAllowedByListeners";
    public static final String NO_MATCHING_LISTENER_HOSTNAME = "NoMatchingListenerHostname";
    public static final String NO_MATCHING_PARENT = "NoMatchingParent";
    public static final String INCOMPATIBLE_FILTERS = "IncompatibleFilters";
    public static final String BACKEND_NOT_FOUND = "BackendNotFound";
    public static final String INVALID_KIND = "InvalidKind";
    public static final String UNSUPPORTED_PROTOCOL_BACKEND = "UnsupportedProtocol";
    public static final String NO_VALID_CA_CERTIFICATE = "NoValidCACertificate";
    public static final String INVALID_CA_CERTIFICATE_REF = "InvalidCACertificateRef";
    public static final String INVALID_CA_CERTIFICATE_KIND = "InvalidCACertificateKind";
    public static final String CONFIGURATION_CHANGED = "ConfigurationChanged";
    public static final String TARGET_NOT_FOUND = "TargetNotFound";

    private Reasons() {}
}
