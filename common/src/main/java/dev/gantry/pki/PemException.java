package dev.gantry.pki;

/** PEM text that holds no usable certificate or key; the message says what is wrong, never the key material. */
public final class PemException extends Exception {

    public PemException(String message) {
        super(message);
    }

    public PemException(String message, Throwable cause) {
        super(message, cause);
    }
}
