package io.shears.engine.startup;

/**
 * Why the tensor engine could not start. The names are stable, like {@link io.shears.onnx.ModelProblem}: the command
 * line and the service report them as error codes.
 */
public enum EngineProblem {
    /** The PyTorch native jar (or the DJL JNI jar) is not on the classpath. */
    NATIVE_LIBRARY_MISSING,
    /** A native jar is present but built for another PyTorch version or platform. */
    NATIVE_LIBRARY_MISMATCH,
    /** The environment turns DJL's offline mode off, so DJL could try to download libraries at run time. */
    OFFLINE_MODE_OVERRIDDEN,
    /** The environment names another DJL cache directory than the configuration does. */
    CACHE_DIR_CONFLICT,
    /** DJL found the libraries but PyTorch failed to load or initialise. */
    ENGINE_LOAD_FAILED,
    /** The engine already runs with settings that cannot change inside one process. */
    ENGINE_ALREADY_STARTED,
    /** The configured device (a GPU, or a GPU index) is not one the engine reports. */
    DEVICE_UNAVAILABLE
}
