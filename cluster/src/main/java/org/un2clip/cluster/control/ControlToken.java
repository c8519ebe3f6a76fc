package org.un2clip.cluster.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The control endpoint's shared secret: 256 random bits, written as hex to a file only its owner can read
 * (mode 0600 from the moment it exists, then moved into place, so no other user ever sees a readable copy).
 */
public final class ControlToken {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private final byte[] value;

    private ControlToken(byte[] value) {
        this.value = value;
    }

    /** A new random token, written to {@code file} (replacing an old one). */
    public static ControlToken createIn(Path file) {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        ControlToken token = new ControlToken(HexFormat.of().formatHex(raw).getBytes(StandardCharsets.US_ASCII));
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                throw new IOException("someone else is creating " + tmp, e);
            }
            // The umask may have removed bits but never adds any; set them exactly anyway.
            Files.setPosixFilePermissions(tmp, OWNER_ONLY);
            Files.write(tmp, token.value);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the control token " + file + ": " + e.getMessage(), e);
        }
        return token;
    }

    /** Reads a token file (surrounding white space ignored). */
    public static ControlToken readFrom(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (text.isEmpty()) {
                throw new IllegalArgumentException("control token file " + file + " is empty");
            }
            return new ControlToken(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the control token " + file + ": " + e.getMessage(), e);
        }
    }

    /** Compares in constant time, so response timing does not leak how much of a guess was right. */
    public boolean matches(String presented) {
        return presented != null
                && MessageDigest.isEqual(value, presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** The value for the {@code Authorization: Bearer} header. */
    public String value() {
        return new String(value, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "ControlToken[hidden]";
    }
}
