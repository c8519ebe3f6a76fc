package org.un2clip.cluster.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/** Flushes every logback output stream (the last lines of a leaving node must reach its log file). */
final class LogFlush {
    private LogFlush() {}

    static void flush() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
            for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it = logger.iteratorForAppenders();
                    it.hasNext(); ) {
                if (it.next() instanceof OutputStreamAppender<?> out && out.getOutputStream() != null) {
                    try {
                        out.getOutputStream().flush();
                    } catch (java.io.IOException ignored) {
                        // Nothing left to tell: the log itself is what failed.
                    }
                }
            }
        }
        System.out.flush();
        System.err.flush();
    }
}
