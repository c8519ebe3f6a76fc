package org.un2clip.data.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A streaming tar reader (ustar, pax extended headers, GNU long names) that never extracts to disk.
 *
 * <p>Call {@link #next()} for each member; read the current member's content with {@link #readContent()}
 * or leave it, and the next call skips it (with {@code skip}, so a file-backed stream seeks instead of
 * reading). A stream that ends inside a header or a member raises a {@link TarFormatException} that says so;
 * a stream that ends at a header boundary without the end-of-archive blocks is accepted as ended.
 */
public final class TarReader implements AutoCloseable {
    private static final int BLOCK = 512;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private long position;
    private TarEntry current;
    private long remaining;
    private boolean done;
    private final Map<String, String> globalPax = new HashMap<>();

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next member, or null at the end of the archive. Metadata members (pax, GNU long names) are applied, not returned. */
    public TarEntry next() throws IOException {
        if (done) {
            return null;
        }
        finishCurrent();
        String longName = null;
        Map<String, String> pax = new HashMap<>(globalPax);
        while (true) {
            int got = readBlock(header);
            if (got == 0) {
                done = true;
                return null;
            }
            if (got < BLOCK) {
                throw new TarFormatException("archive ends inside a header at byte " + position, true, null);
            }
            position += BLOCK;
            if (isZeroBlock(header)) {
                done = true;
                return null;
            }
            verifyChecksum();
            char type = (char) (header[156] & 0xFF);
            long size = parseNumber(header, 124, 12, "size");
            String name = pax.containsKey("path") ? pax.get("path") : longName != null ? longName : headerName();
            if (pax.containsKey("size")) {
                size = parsePaxSize(pax.get("size"));
            }
            switch (type) {
                case 'L' -> longName = trimNul(new String(readMeta(size, "GNU long name"), StandardCharsets.UTF_8));
                case 'K' -> readMeta(size, "GNU long link name");
                case 'x' -> pax.putAll(parsePax(readMeta(size, "pax header")));
                case 'g' -> {
                    globalPax.putAll(parsePax(readMeta(size, "pax global header")));
                    pax.putAll(globalPax);
                }
                default -> {
                    current = new TarEntry(name, type, size, position);
                    remaining = size;
                    return current;
                }
            }
        }
    }

    /** The whole content of the current member. */
    public byte[] readContent() throws IOException {
        if (current == null) {
            throw new IllegalStateException("no current member");
        }
        if (current.size() > Integer.MAX_VALUE - 16) {
            throw new TarFormatException("member " + current.name() + " is too large to read into memory: " + current.size(), false, current.name());
        }
        byte[] data = new byte[(int) remaining];
        int off = 0;
        while (off < data.length) {
            int n = in.read(data, off, data.length - off);
            if (n < 0) {
                throw new TarFormatException("archive ends inside member " + current.name() + " (" + off + " of " + data.length + " bytes)", true, current.name());
            }
            off += n;
        }
        position += data.length;
        remaining = 0;
        return data;
    }

    /** Byte offset of the next unread byte of the archive. */
    public long position() {
        return position;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void finishCurrent() throws IOException {
        if (current == null) {
            return;
        }
        long pad = padding(current.size());
        String name = current.name();
        skipFully(remaining, name, true);
        remaining = 0;
        current = null;
        // A missing padding after a complete member only loses the end-of-archive marker: accept it.
        skipFully(pad, name, false);
    }

    private void skipFully(long n, String member, boolean strict) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    if (strict) {
                        throw new TarFormatException("archive ends inside member " + member, true, member);
                    }
                    done = true;
                    return;
                }
                s = 1;
            }
            left -= s;
            position += s;
        }
    }

    private byte[] readMeta(long size, String what) throws IOException {
        if (size < 0 || size > 1 << 20) {
            throw new TarFormatException(what + " of unreasonable size " + size + " at byte " + position, false, null);
        }
        byte[] data = new byte[(int) size];
        int off = 0;
        while (off < data.length) {
            int n = in.read(data, off, data.length - off);
            if (n < 0) {
                throw new TarFormatException("archive ends inside a " + what, true, null);
            }
            off += n;
        }
        position += size;
        skipFully(padding(size), what, true);
        return data;
    }

    private int readBlock(byte[] block) throws IOException {
        int off = 0;
        while (off < BLOCK) {
            int n = in.read(block, off, BLOCK - off);
            if (n < 0) {
                break;
            }
            off += n;
        }
        return off;
    }

    private String headerName() {
        String name = cString(header, 0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a' && header[261] == 'r';
        boolean posixUstar = ustar && header[262] == 0;
        if (posixUstar) {
            String prefix = cString(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private void verifyChecksum() throws TarFormatException {
        long stored = parseNumber(header, 148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : header[i];
            unsigned += b & 0xFF;
            signed += (i >= 148 && i < 156) ? ' ' : header[i];
        }
        if (stored != unsigned && stored != signed) {
            throw new TarFormatException("bad header checksum at byte " + (position - BLOCK) + " (stored " + stored + ", computed " + unsigned + ")", false, null);
        }
    }

    private static long parseNumber(byte[] h, int off, int len, String field) throws TarFormatException {
        if ((h[off] & 0x80) != 0) {
            // GNU base-256 for sizes over 8 GiB: big-endian, first byte's high bit is the marker.
            long v = h[off] & 0x7F;
            for (int i = 1; i < len; i++) {
                v = (v << 8) | (h[off + i] & 0xFF);
            }
            return v;
        }
        long v = 0;
        boolean any = false;
        for (int i = off; i < off + len; i++) {
            int c = h[i] & 0xFF;
            if (c == 0 || (c == ' ' && any)) {
                break;
            }
            if (c == ' ') {
                continue;
            }
            if (c < '0' || c > '7') {
                throw new TarFormatException("header field " + field + " is not octal", false, null);
            }
            v = v * 8 + (c - '0');
            any = true;
        }
        return v;
    }

    private static long parsePaxSize(String s) throws TarFormatException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new TarFormatException("pax size is not a number: " + s, false, null);
        }
    }

    /** Pax records: "LEN key=value\n" where LEN counts the whole record. */
    static Map<String, String> parsePax(byte[] data) throws TarFormatException {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            int sp = i;
            while (sp < data.length && data[sp] != ' ') {
                sp++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                if (isAllZero(data, i)) {
                    break;
                }
                throw new TarFormatException("bad pax record length", false, null);
            }
            if (len <= 0 || i + len > data.length || sp + 1 >= i + len) {
                throw new TarFormatException("bad pax record length " + len, false, null);
            }
            String kv = new String(data, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            i += len;
        }
        return out;
    }

    private static boolean isAllZero(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZeroBlock(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static String trimNul(String s) {
        int z = s.indexOf('\0');
        return z >= 0 ? s.substring(0, z) : s;
    }
}
