/**
 * Admission of Gateway API objects by the in-memory Kubernetes API, as a real API server admits custom resources:
 * unknown fields pruned, schema defaults applied, then the CRD's OpenAPI schema and its CEL rules
 * ({@code x-kubernetes-validations}) checked, with refusals in the API server's form (422, a {@code Status} with
 * reason {@code Invalid} and one cause per field error).
 */
package dev.gantry.kube.admission;
