package io.shears.engine.startup;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to start the tensor engine. Each setting has one name, {@code shears.engine.*}: the service binds it like any
 * other Spring property (so {@code -D}, the environment variable and application.yml all work), and the command line,
 * which has no Spring, reads the same name as a {@code -D} system property.
 *
 * @param cacheDir       where DJL extracts the native PyTorch libraries; null keeps DJL's own choice (the
 *                       {@code ENGINE_CACHE_DIR} or {@code DJL_CACHE_DIR} environment variable, else {@code ~/.djl.ai})
 * @param interopThreads PyTorch inter-op threads; 0 for one. Fixed once the engine has started.
 * @param intraopThreads PyTorch intra-op threads; 0 for one per CPU the process may use ({@link CpuQuota})
 * @param device         which devices the work runs on, as {@link DeviceSelection} reads it: {@code auto} (every GPU
 *                       DJL reports, else the CPU), {@code cpu}, {@code gpu} (every GPU) or {@code gpu:N}
 */
public record EngineSettings(Path cacheDir, int interopThreads, int intraopThreads, DeviceSelection device) {
    public static final String CACHE_DIR_PROPERTY = "shears.engine.cache-dir";
    public static final String INTEROP_THREADS_PROPERTY = "shears.engine.interop-threads";
    public static final String INTRAOP_THREADS_PROPERTY = "shears.engine.intraop-threads";
    public static final String DEVICE_PROPERTY = "shears.engine.device";

    public EngineSettings {
        if (interopThreads < 0 || intraopThreads < 0) {
            throw new IllegalArgumentException("thread counts must be 0 (the default) or positive, got interop "
                    + interopThreads + " and intraop " + intraopThreads);
        }
        cacheDir = cacheDir == null ? null : cacheDir.toAbsolutePath().normalize();
        device = device == null ? DeviceSelection.AUTO : device;
    }

    /** The settings with the default device selection ({@code auto}). */
    public EngineSettings(Path cacheDir, int interopThreads, int intraopThreads) {
        this(cacheDir, interopThreads, intraopThreads, DeviceSelection.AUTO);
    }

    /** Everything at PyTorch's and DJL's defaults, devices chosen automatically. */
    public static EngineSettings defaults() {
        return new EngineSettings(null, 0, 0, DeviceSelection.AUTO);
    }

    /**
     * The settings given as JVM system properties ({@value #CACHE_DIR_PROPERTY}, the thread counts and
     * {@value #DEVICE_PROPERTY}).
     */
    public static EngineSettings fromSystemProperties() {
        String dir = System.getProperty(CACHE_DIR_PROPERTY);
        String device = System.getProperty(DEVICE_PROPERTY);
        DeviceSelection selection;
        try {
            selection = device == null || device.isBlank() ? DeviceSelection.AUTO : DeviceSelection.parse(device);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(DEVICE_PROPERTY + ": " + e.getMessage(), e);
        }
        return new EngineSettings(dir == null || dir.isBlank() ? null : Path.of(dir),
                threads(INTEROP_THREADS_PROPERTY), threads(INTRAOP_THREADS_PROPERTY), selection);
    }

    private static int threads(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a whole number, got '" + value + "'", e);
        }
    }

    public EngineSettings withCacheDir(Path dir) {
        return new EngineSettings(dir, interopThreads, intraopThreads, device);
    }

    public EngineSettings withThreads(int interop, int intraop) {
        return new EngineSettings(cacheDir, interop, intraop, device);
    }

    public EngineSettings withDevice(DeviceSelection selection) {
        return new EngineSettings(cacheDir, interopThreads, intraopThreads, selection);
    }

    boolean sameFixedSettings(EngineSettings other) {
        return Objects.equals(cacheDir, other.cacheDir) && interopThreads == other.interopThreads;
    }
}
