package org.un2clip.model.clip;

import java.util.Arrays;

/** A float32 tensor on the Java heap (row-major), used while converting checkpoints between namings. */
public record Tensor(long[] shape, float[] data) {

    public Tensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
    }

    /** Rows {@code [part·n/count, (part+1)·n/count)} of the first axis. */
    Tensor rows(int part, int count) {
        long rows = shape[0] / count;
        int stride = data.length / Math.toIntExact(shape[0]);
        long[] s = shape.clone();
        s[0] = rows;
        int from = Math.toIntExact(part * rows * stride);
        return new Tensor(s, Arrays.copyOfRange(data, from, from + Math.toIntExact(rows * stride)));
    }

    /** Concatenation along the first axis. */
    static Tensor concatRows(Tensor... parts) {
        long[] s = parts[0].shape.clone();
        s[0] = 0;
        int n = 0;
        for (Tensor p : parts) {
            s[0] += p.shape[0];
            n += p.data.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (Tensor p : parts) {
            System.arraycopy(p.data, 0, out, at, p.data.length);
            at += p.data.length;
        }
        return new Tensor(s, out);
    }

    /** The transpose of a 2-D tensor. */
    Tensor transpose() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("transpose needs a 2-D tensor, got " + Arrays.toString(shape));
        }
        int r = Math.toIntExact(shape[0]);
        int c = Math.toIntExact(shape[1]);
        float[] out = new float[data.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = data[i * c + j];
            }
        }
        return new Tensor(new long[] {c, r}, out);
    }
}
