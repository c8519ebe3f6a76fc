package org.un2clip.data.tar;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes tar archives with fixed metadata (mtime 0, mode 0644, uid/gid 0, no user names), so the same
 * members give the same bytes on every run. Names over 100 bytes use the chosen long-name convention.
 */
public final class TarWriter implements AutoCloseable {
    private static final int BLOCK = 512;

    /** How names longer than the 100-byte ustar field are written. */
    public enum LongNames { PAX, GNU, USTAR_PREFIX }

    private final OutputStream out;
    private final LongNames longNames;
    private boolean closed;

    public TarWriter(OutputStream out, LongNames longNames) {
        this.out = out;
        this.longNames = longNames;
    }

    public TarWriter(OutputStream out) {
        this(out, LongNames.PAX);
    }

    public void add(String name, byte[] content) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length <= 100) {
            writeHeader(nameBytes, new byte[0], '0', content.length);
        } else {
            switch (longNames) {
                case PAX -> {
                    byte[] record = paxRecord("path", name);
                    writeHeader(ascii("PaxHeaders/x"), new byte[0], 'x', record.length);
                    writeData(record);
                    writeHeader(truncate(nameBytes, 100), new byte[0], '0', content.length);
                }
                case GNU -> {
                    byte[] withNul = new byte[nameBytes.length + 1];
                    System.arraycopy(nameBytes, 0, withNul, 0, nameBytes.length);
                    writeHeader(ascii("././@LongLink"), new byte[0], 'L', withNul.length);
                    writeData(withNul);
                    writeHeader(truncate(nameBytes, 100), new byte[0], '0', content.length);
                }
                case USTAR_PREFIX -> {
                    int slash = ustarSplit(name);
                    if (slash < 0) {
                        throw new IOException("name does not fit the ustar name/prefix fields: " + name);
                    }
                    writeHeader(utf8(name.substring(slash + 1)), utf8(name.substring(0, slash)), '0', content.length);
                }
                default -> throw new IllegalStateException();
            }
        }
        writeData(content);
    }

    /** Writes the two zero blocks that end an archive. */
    public void finish() throws IOException {
        if (!closed) {
            out.write(new byte[2 * BLOCK]);
            closed = true;
        }
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }

    private void writeHeader(byte[] name, byte[] prefix, char type, long size) throws IOException {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        System.arraycopy(ascii("ustar\0"), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        System.arraycopy(prefix, 0, h, 345, Math.min(155, prefix.length));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        out.write(h);
    }

    private void writeData(byte[] data) throws IOException {
        out.write(data);
        int pad = (BLOCK - data.length % BLOCK) % BLOCK;
        out.write(new byte[pad]);
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("value too large for a tar field: " + value);
        }
        s = "0".repeat(len - 1 - s.length()) + s;
        System.arraycopy(ascii(s), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    static byte[] paxRecord(String key, String value) {
        byte[] body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
        int len = body.length + 1;
        while (String.valueOf(len).length() + body.length != len) {
            len = String.valueOf(len).length() + body.length;
        }
        return (len + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    /** The slash that splits a name into a prefix of at most 155 and a name of at most 100 bytes, or -1. */
    private static int ustarSplit(String name) {
        for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
            if (utf8(name.substring(0, i)).length <= 155 && utf8(name.substring(i + 1)).length <= 100) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] truncate(byte[] b, int n) {
        byte[] t = new byte[Math.min(n, b.length)];
        System.arraycopy(b, 0, t, 0, t.length);
        return t;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
