package dev.gantry.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;

/** Whether a private key belongs to a public key: it signs something the public key verifies. */
public final class KeyMatch {

    private static final byte[] PROBE = "gantry key match".getBytes(StandardCharsets.US_ASCII);

    private KeyMatch() {}

    public static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
        String algorithm;
        if (publicKey instanceof ECPublicKey && privateKey instanceof ECPrivateKey) {
            algorithm = "SHA256withECDSA";
        } else if (publicKey instanceof RSAPublicKey && privateKey instanceof RSAPrivateKey) {
            algorithm = "SHA256withRSA";
        } else if (publicKey.getAlgorithm().equals(privateKey.getAlgorithm())
                && publicKey.getAlgorithm().equals("Ed25519")) {
            algorithm = "Ed25519";
        } else {
            return false;
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
