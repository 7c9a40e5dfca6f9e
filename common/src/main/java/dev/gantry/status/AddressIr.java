package dev.gantry.status;

/** A Gateway address as reported in {@code status.addresses}: {@code IPAddress} or {@code Hostname}. */
public record AddressIr(String type, String value) {}
