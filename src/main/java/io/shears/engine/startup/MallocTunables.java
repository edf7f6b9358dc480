package io.shears.engine.startup;

/**
 * glibc's allocator settings as this process has them ({@code GLIBC_TUNABLES}). libtorch takes every operator's output
 * from {@code malloc}, and by default glibc hands a large block back to the kernel when it is freed (an {@code mmap}
 * per block above a threshold that grows only to 32 MiB, a heap trimmed as soon as 128 KB at its top are free) and
 * gives a thread other than the process's first an arena that cannot grow past 64 MiB. A training step then asks the
 * kernel for the same memory again and again, and the kernel zeroes each page it maps: on ResNet-18 at 224×224 that
 * was 7.7 million page faults in three epochs, a tenth of the time. The launchers ({@code bin/shears}, the image,
 * {@code spring-boot:run}) set {@link #LAUNCHER_VALUE}: one arena, blocks up to 256 MiB kept in it, and up to 1 GiB of
 * free memory kept at its top, so a step reuses the previous step's pages. The price is that the process keeps the
 * memory of its largest step (up to 1 GiB more) until it exits. glibc reads the variable once, when the process
 * starts, and Java cannot set its own environment; reports record what was in effect.
 */
public final class MallocTunables {
    public static final String VARIABLE = "GLIBC_TUNABLES";
    /** What the launchers set; the same text is in bin/shears, the Dockerfile and the pom. */
    public static final String LAUNCHER_VALUE = "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=268435456"
            + ":glibc.malloc.trim_threshold=1073741824";

    private MallocTunables() {
    }

    /** The variable's value in this process, null when unset. */
    public static String inEffect() {
        return System.getenv(VARIABLE);
    }
}
