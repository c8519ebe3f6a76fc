package org.un2clip.actors.transport;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.File;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * A media driver inside this JVM, in its own directory {@code <base>/un2clip-aeron-<pid>-<nonce>}: a dead
 * earlier process cannot collide with it, and the directory is deleted on start and on close.
 * SHARED threading with a backing-off idle strategy: the driver shares a few cores with the math.
 */
public final class EmbeddedDriver implements AutoCloseable {
    private final MediaDriver driver;
    private final String directory;

    private EmbeddedDriver(MediaDriver driver, String directory) {
        this.driver = driver;
        this.directory = directory;
    }

    public static EmbeddedDriver start(TransportSettings s) {
        String dir = s.aeronDirBase() + File.separator + "un2clip-aeron-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL);
        MediaDriver.Context ctx = new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(64, 64, TimeUnit.MICROSECONDS.toNanos(1),
                        TimeUnit.MICROSECONDS.toNanos(200)))
                .ipcTermBufferLength(s.termLength())
                .publicationTermBufferLength(s.termLength())
                .ipcMtuLength(Math.min(s.mtu(), 65504))
                .mtuLength(s.mtu())
                .socketRcvbufLength(s.socketBuffer())
                .socketSndbufLength(s.socketBuffer())
                .initialWindowLength(s.receiverWindow())
                .publicationLingerTimeoutNs(s.lingerTimeout().toNanos())
                .imageLivenessTimeoutNs(Math.max(s.lingerTimeout().toNanos() * 5, TimeUnit.SECONDS.toNanos(1)))
                .warnIfDirectoryExists(false);
        try {
            return new EmbeddedDriver(MediaDriver.launch(ctx), dir);
        } catch (RuntimeException e) {
            IoUtil.delete(new File(dir), true);
            throw new TransportException("cannot start the embedded Aeron media driver in " + dir + ": " + e);
        }
    }

    public String directory() {
        return directory;
    }

    @Override
    public void close() {
        driver.close();
        IoUtil.delete(new File(directory), true);
    }
}
