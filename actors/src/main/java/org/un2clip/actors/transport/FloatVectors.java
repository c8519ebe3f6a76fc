package org.un2clip.actors.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Flat float vectors as the runtime keeps them: direct, little-endian byte buffers (Aeron copies straight). */
public final class FloatVectors {
    private FloatVectors() {}

    public static ByteBuffer allocate(long floats) {
        if (floats * Float.BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a flat vector of " + floats + " floats exceeds 2 GiB; shard it");
        }
        return ByteBuffer.allocateDirect((int) floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static float[] toArray(ByteBuffer b) {
        float[] out = new float[b.capacity() / Float.BYTES];
        b.duplicate().order(ByteOrder.LITTLE_ENDIAN).clear().asFloatBuffer().get(out);
        return out;
    }

    public static void copy(ByteBuffer from, int fromFloat, ByteBuffer to, int toFloat, int floats) {
        to.duplicate().clear().position(toFloat * Float.BYTES)
                .put(from.duplicate().clear().position(fromFloat * Float.BYTES).limit((fromFloat + floats) * Float.BYTES));
    }
}
