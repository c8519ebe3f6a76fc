package org.un2clip.data.source;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 rows over raw bytes (quotes, doubled quotes, CRLF), with a chosen delimiter. Fields stay bytes
 * so that a caption's encoding is checked per record (a bad caption skips its record, not the file).
 */
public final class Csv {
    private Csv() {
    }

    public static List<List<byte[]>> parse(byte[] data, byte delimiter) {
        List<List<byte[]>> rows = new ArrayList<>();
        List<byte[]> row = new ArrayList<>();
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        boolean quoted = false;
        boolean fieldStarted = false;
        int i = 0;
        if (data.length >= 3 && (data[0] & 0xFF) == 0xEF && (data[1] & 0xFF) == 0xBB && (data[2] & 0xFF) == 0xBF) {
            i = 3; // UTF-8 byte order mark
        }
        for (; i < data.length; i++) {
            byte b = data[i];
            if (quoted) {
                if (b == '"') {
                    if (i + 1 < data.length && data[i + 1] == '"') {
                        field.write('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.write(b);
                }
            } else if (b == '"' && field.size() == 0) {
                quoted = true;
                fieldStarted = true;
            } else if (b == delimiter) {
                row.add(field.toByteArray());
                field.reset();
                fieldStarted = false;
            } else if (b == '\n' || b == '\r') {
                if (b == '\r' && i + 1 < data.length && data[i + 1] == '\n') {
                    i++;
                }
                if (fieldStarted || field.size() > 0 || !row.isEmpty()) {
                    row.add(field.toByteArray());
                    rows.add(row);
                }
                row = new ArrayList<>();
                field.reset();
                fieldStarted = false;
            } else {
                field.write(b);
                fieldStarted = true;
            }
        }
        if (fieldStarted || field.size() > 0 || !row.isEmpty()) {
            row.add(field.toByteArray());
            rows.add(row);
        }
        return rows;
    }
}
