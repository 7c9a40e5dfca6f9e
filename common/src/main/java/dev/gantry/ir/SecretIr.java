package dev.gantry.ir;

/** TLS material served over SDS. */
public sealed interface SecretIr {

    String name();

    /** A certificate chain and its private key (PEM) for terminating TLS. */
    record Certificate(String name, String certificateChainPem, String privateKeyPem) implements SecretIr {
        @Override
        public String toString() {
            return "Certificate[" + name + "]";
        }
    }

    /** Trusted CA certificates (PEM) for validating upstream servers or downstream clients. */
    record TrustedCa(String name, String caPem) implements SecretIr {}
}
