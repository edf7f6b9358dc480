package io.shears.engine.startup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Properties;

/**
 * Checks, before DJL is touched, that the PyTorch native jar and the DJL JNI jar of the pinned versions are on the
 * classpath. Without them DJL would try to download libtorch at first use, which in offline mode fails deep inside
 * the engine with a message that names neither jar; here the failure names the Maven artifact to add.
 */
public final class NativeLibraryCheck {
    public static final String PYTORCH_VERSION = "2.5.1";
    public static final String DJL_VERSION = "0.33.0";
    public static final String CPU_ARTIFACT = "ai.djl.pytorch:pytorch-native-cpu:" + PYTORCH_VERSION + ":linux-x86_64";
    public static final String GPU_ARTIFACT =
            "ai.djl.pytorch:pytorch-native-cu124:" + PYTORCH_VERSION + ":linux-x86_64";
    public static final String JNI_ARTIFACT = "ai.djl.pytorch:pytorch-jni:" + PYTORCH_VERSION + "-" + DJL_VERSION;

    static final String NATIVE_PROPERTIES = "native/lib/pytorch.properties";
    static final String JNI_PROPERTIES = "jnilib/pytorch.properties";

    private NativeLibraryCheck() {
    }

    /** The native build that {@code loader} provides; throws {@link EngineSetupException} naming what is missing. */
    public static NativeBuild require(ClassLoader loader) {
        Properties nativeProperties = load(loader, NATIVE_PROPERTIES);
        if (nativeProperties == null) {
            throw new EngineSetupException(EngineProblem.NATIVE_LIBRARY_MISSING,
                    "the PyTorch native library is not on the classpath (no " + NATIVE_PROPERTIES + "): add "
                            + CPU_ARTIFACT + " (or " + GPU_ARTIFACT + " in builds with the gpu profile)");
        }
        NativeBuild build = new NativeBuild(nativeProperties.getProperty("version", ""),
                nativeProperties.getProperty("flavor", ""), nativeProperties.getProperty("classifier", ""));
        String artifact = build.flavor().startsWith("cu") ? GPU_ARTIFACT : CPU_ARTIFACT;
        if (!build.version().startsWith(PYTORCH_VERSION)) {
            throw new EngineSetupException(EngineProblem.NATIVE_LIBRARY_MISMATCH, "the PyTorch native library on the "
                    + "classpath is version " + build.version() + " (" + build.flavor() + "), but DJL " + DJL_VERSION
                    + " is pinned to PyTorch " + PYTORCH_VERSION + ": use " + artifact);
        }
        String platform = platformClassifier();
        if (!build.classifier().equals(platform)) {
            throw new EngineSetupException(EngineProblem.NATIVE_LIBRARY_MISMATCH, "the PyTorch native library on the "
                    + "classpath is built for " + build.classifier() + ", this machine is " + platform);
        }
        for (String library : nativeProperties.getProperty("libraries", "").split(",")) {
            String path = "pytorch/" + build.flavor() + "/" + build.classifier() + "/" + library.trim();
            if (!library.isBlank() && loader.getResource(path) == null) {
                throw new EngineSetupException(EngineProblem.NATIVE_LIBRARY_MISSING, "the PyTorch native jar on the "
                        + "classpath lacks " + path + ": it is incomplete; use " + artifact);
            }
        }
        requireJni(loader, build);
        return build;
    }

    private static void requireJni(ClassLoader loader, NativeBuild build) {
        Properties jni = load(loader, JNI_PROPERTIES);
        if (jni == null) {
            throw new EngineSetupException(EngineProblem.NATIVE_LIBRARY_MISSING,
                    "the DJL PyTorch JNI library is not on the classpath (no " + JNI_PROPERTIES + "): add "
                            + JNI_ARTIFACT);
        }
        String version = jni.getProperty("jni_version", "");
        if (!version.startsWith(PYTORCH_VERSION + "-" + DJL_VERSION)) {
            throw new EngineSetupException(EngineProblem.NATIVE_LIBRARY_MISMATCH, "the DJL PyTorch JNI library on the "
                    + "classpath is version " + version + ": use " + JNI_ARTIFACT);
        }
        String library = "jnilib/" + build.classifier() + "/" + build.flavor() + "/"
                + System.mapLibraryName("djl_torch");
        if (loader.getResource(library) == null) {
            throw new EngineSetupException(EngineProblem.NATIVE_LIBRARY_MISSING, "the DJL PyTorch JNI jar has no "
                    + library + " for the " + build.flavor() + " native build: use " + JNI_ARTIFACT);
        }
    }

    private static Properties load(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
        }
    }

    /** The platform in DJL's classifier spelling, e.g. linux-x86_64. */
    static String platformClassifier() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osPart = os.startsWith("mac") ? "osx" : os.startsWith("win") ? "win"
                : os.startsWith("linux") ? "linux" : os;
        String archPart = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return osPart + "-" + archPart;
    }
}
