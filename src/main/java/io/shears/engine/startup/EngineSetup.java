package io.shears.engine.startup;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Utils;
import ai.onnxruntime.OrtEnvironment;

import java.nio.file.Path;

/**
 * Starts DJL's PyTorch engine the way Shears needs it: offline (DESIGN.md: no library is downloaded at run time), with
 * the native libraries extracted into the configured cache directory, and with the configured thread counts (by
 * default one intra-op thread per CPU of the process's quota and one inter-op thread). Call
 * {@link #start} before anything else touches DJL; DJL reads these settings once, when the engine first loads.
 */
public final class EngineSetup {
    public static final String ENGINE_NAME = "PyTorch";

    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    /** DJL reads its cache locations from the environment first and from system properties second. */
    static final String ENGINE_CACHE_DIR = "ENGINE_CACHE_DIR";
    static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";
    static final String INTEROP_THREADS_PROPERTY = "ai.djl.pytorch.num_interop_threads";
    static final String INTRAOP_THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    private static EngineSettings startedWith;
    private static EngineInfo info;

    private EngineSetup() {
    }

    /** The version of DJL on the class path, known without starting the engine. */
    public static String djlVersion() {
        return Engine.getDjlVersion();
    }

    /** Starts the engine with the settings of the JVM system properties (see {@link EngineSettings}). */
    public static synchronized EngineInfo start() {
        return start(EngineSettings.fromSystemProperties());
    }

    /**
     * Starts the engine, or returns the running one. The cache directory and the inter-op thread count cannot change
     * once PyTorch is loaded; asking for others then fails. The intra-op count can, and is applied.
     */
    public static synchronized EngineInfo start(EngineSettings settings) {
        if (info != null) {
            if (!startedWith.sameFixedSettings(settings)) {
                throw new EngineSetupException(EngineProblem.ENGINE_ALREADY_STARTED, "the engine already runs with "
                        + startedWith + "; the cache directory and inter-op threads cannot change to " + settings);
            }
            applyIntraopThreads(intraopThreads(settings));
            startedWith = settings;
            info = describe(info.nativeBuild());
            return info;
        }
        NativeBuild build = NativeLibraryCheck.require(EngineSetup.class.getClassLoader());
        System.setProperty(OFFLINE_PROPERTY, "true");
        if (!Utils.isOfflineMode()) {
            throw new EngineSetupException(EngineProblem.OFFLINE_MODE_OVERRIDDEN, "the environment variable "
                    + "DJL_OFFLINE=" + System.getenv("DJL_OFFLINE") + " turns DJL's offline mode off; unset it");
        }
        configureCacheDir(settings.cacheDir());
        setOrClear(INTEROP_THREADS_PROPERTY, interopThreads(settings));
        setOrClear(INTRAOP_THREADS_PROPERTY, intraopThreads(settings));
        try {
            Engine.getEngine(ENGINE_NAME);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new EngineSetupException(EngineProblem.ENGINE_LOAD_FAILED, "PyTorch " + build.version() + " ("
                    + build.flavor() + ") failed to load from " + Utils.getEngineCacheDir("pytorch") + ": " + e);
        }
        if (settings.interopThreads() > 0 && JniUtils.getNumInteropThreads() != settings.interopThreads()) {
            throw new EngineSetupException(EngineProblem.ENGINE_ALREADY_STARTED, "PyTorch runs "
                    + JniUtils.getNumInteropThreads() + " inter-op threads, not the configured "
                    + settings.interopThreads() + ": something loaded DJL before EngineSetup.start");
        }
        applyIntraopThreads(intraopThreads(settings));
        loadOnnxRuntime();
        startedWith = settings;
        info = describe(build);
        return info;
    }

    /**
     * ONNX Runtime evaluates on the CPU, so it loads with the engine: loading unpacks its native library, marks it for
     * deletion at exit and adds a shutdown hook, all of which fail once the JVM is shutting down. Loaded first by a job
     * that a SIGTERM interrupted, it failed the job ("Shutdown in progress") instead of handing it back.
     */
    private static void loadOnnxRuntime() {
        try {
            OrtEnvironment.getEnvironment();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new EngineSetupException(EngineProblem.ENGINE_LOAD_FAILED, "ONNX Runtime failed to load: " + e);
        }
    }

    /**
     * The configured count, else one per CPU the process may use ({@link CpuQuota}): PyTorch's own default is the
     * host's cores, which in a container with a CPU limit is more threads than the limit pays for.
     */
    static int intraopThreads(EngineSettings settings) {
        return settings.intraopThreads() > 0 ? settings.intraopThreads() : CpuQuota.ofThisProcess().threads();
    }

    /**
     * The configured count, else 1: the interpreter runs a model's operators one after another, so an inter-op pool
     * would only add threads that wait.
     */
    static int interopThreads(EngineSettings settings) {
        return settings.interopThreads() > 0 ? settings.interopThreads() : 1;
    }

    private static void configureCacheDir(Path dir) {
        if (dir == null) {
            return;
        }
        String fromEnvironment = System.getenv(ENGINE_CACHE_DIR);
        if (fromEnvironment != null && !fromEnvironment.isEmpty()
                && !Path.of(fromEnvironment).toAbsolutePath().normalize().equals(dir)) {
            throw new EngineSetupException(EngineProblem.CACHE_DIR_CONFLICT, "the environment variable "
                    + ENGINE_CACHE_DIR + "=" + fromEnvironment + " overrides the configured cache directory " + dir
                    + " (" + EngineSettings.CACHE_DIR_PROPERTY + "); set only one");
        }
        System.setProperty(ENGINE_CACHE_DIR, dir.toString());
        System.setProperty(DJL_CACHE_DIR, dir.toString());
    }

    private static void setOrClear(String property, int threads) {
        if (threads > 0) {
            System.setProperty(property, Integer.toString(threads));
        } else {
            System.clearProperty(property);
        }
    }

    private static void applyIntraopThreads(int threads) {
        if (threads > 0 && JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }

    private static EngineInfo describe(NativeBuild build) {
        Engine engine = Engine.getEngine(ENGINE_NAME);
        return new EngineInfo(engine.getEngineName(), engine.getVersion(), build, Utils.getEngineCacheDir(),
                JniUtils.getNumInteropThreads(), JniUtils.getNumThreads());
    }
}
