package dev.gantry.envoy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 over deterministic bytes, rendered as 16 hex characters: the version of xDS resources. */
public final class ContentHash {

    /**
     * Looking a digest up by name goes through the security providers each time; every resource of every
     * translation is hashed, so digests are cloned from one looked up once.
     */
    private static final MessageDigest PROTOTYPE = lookUp();

    private final MessageDigest digest;

    public ContentHash() {
        MessageDigest copy;
        try {
            copy = (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            copy = lookUp();
        }
        digest = copy;
    }

    private static MessageDigest lookUp() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    public ContentHash add(String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        return this;
    }

    public ContentHash add(byte[] bytes) {
        digest.update(bytes);
        return this;
    }

    public String hex() {
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }

    /** The first 8 bytes of the digest as a number; the digest is consumed. */
    public long value() {
        byte[] bytes = digest.digest();
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        return value;
    }

    /** Protobuf bytes with map entries in key order, so equal messages hash equal. */
    public static byte[] deterministicBytes(Message message) {
        try {
            // Written straight into an array of the exact size: no stream buffer, no copy.
            byte[] bytes = new byte[message.getSerializedSize()];
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            message.writeTo(out);
            out.checkNoSpaceLeft();
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
