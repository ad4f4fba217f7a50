package dev.funnel.engine.exec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The calling thread's CPU time, for {@link ExecutionListener#onNodeCpu}: one
 * {@code clock_gettime(CLOCK_THREAD_CPUTIME_ID)} on Linux (a system call, a few hundred ns; a
 * heavy node runs for tens to hundreds of µs).
 */
final class ThreadCpuClock {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean SUPPORTED = supported();

    private ThreadCpuClock() {
    }

    /** Nanoseconds of CPU this thread has used, or -1 where the JVM cannot tell. */
    static long nanos() {
        return SUPPORTED ? THREADS.getCurrentThreadCpuTime() : -1L;
    }

    private static boolean supported() {
        try {
            if (!THREADS.isCurrentThreadCpuTimeSupported()) {
                return false;
            }
            if (!THREADS.isThreadCpuTimeEnabled()) {
                THREADS.setThreadCpuTimeEnabled(true);
            }
            return THREADS.getCurrentThreadCpuTime() >= 0;
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
