package dev.gantry.status;

/**
 * A route's or policy's parent reference as echoed in status, with group, kind and namespace made explicit.
 *
 * @param group parent API group
 * @param kind parent kind ({@code Gateway} or {@code ListenerSet})
 * @param namespace parent namespace
 * @param name parent name
 * @param sectionName listener name, or null
 * @param port listener port, or null
 */
public record ParentRefIr(String group, String kind, String namespace, String name, String sectionName, Integer port) {}
