package dev.thawfs.fs.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/** The machine's CPUs as the kernel lists them, and pinning the calling thread to one. */
public final class Cpus {
    private static final Path SYSFS = Path.of("/sys/devices/system/cpu");
    private static final int MASK_BYTES = 128;

    private Cpus() {
    }

    /** CPUs that may ever be online ({@code num_possible_cpus}); FUSE over io_uring has a queue for each. */
    public static BitSet possible() throws IOException {
        return parse(Files.readString(SYSFS.resolve("possible")).trim());
    }

    public static BitSet online() throws IOException {
        return parse(Files.readString(SYSFS.resolve("online")).trim());
    }

    /** A kernel CPU list such as {@code 0-3,5}. */
    static BitSet parse(String list) {
        BitSet cpus = new BitSet();
        for (String range : list.split(",")) {
            if (range.isEmpty()) {
                continue;
            }
            int dash = range.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1));
            cpus.set(first, last + 1);
        }
        return cpus;
    }

    /** Pins the calling thread to {@code cpu}; 0 or -errno. */
    public static int pinCurrentThread(int cpu) {
        if (cpu >= MASK_BYTES * 8) {
            return -Errno.EINVAL;
        }
        NativeBuffer mask = NativeBuffer.allocate(MASK_BYTES);
        mask.buffer().put(cpu / 8, (byte) (1 << (cpu % 8)));
        return Libc.INSTANCE.sched_setaffinity(0, MASK_BYTES, mask.address()) == 0 ? 0 : -Libc.errno();
    }
}
