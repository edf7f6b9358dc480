package io.shears.engine.startup;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Utils;
import io.shears.engine.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Engine startup: the native-library check before DJL is touched, offline mode, cache directory and threads. */
class EngineSetupTest {
    @TempDir
    Path dir;

    private static ClassLoader isolated(Path root) throws IOException {
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    }

    private void write(String resource, String content) throws IOException {
        Path file = dir.resolve(resource);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private void nativeJar(String version) throws IOException {
        write("native/lib/pytorch.properties", "version=" + version + "\nflavor=cpu\nclassifier="
                + NativeLibraryCheck.platformClassifier() + "\nlibraries=libc10.so,libtorch.so\n");
        write("pytorch/cpu/" + NativeLibraryCheck.platformClassifier() + "/libc10.so", "");
        write("pytorch/cpu/" + NativeLibraryCheck.platformClassifier() + "/libtorch.so", "");
    }

    @Test
    void aMissingNativeJarIsNamedBeforeDjlIsTouched() throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThatThrownBy(() -> NativeLibraryCheck.require(empty))
                    .isInstanceOfSatisfying(EngineSetupException.class,
                            e -> assertThat(e.code()).isEqualTo("NATIVE_LIBRARY_MISSING"))
                    .hasMessageContaining("ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64")
                    .hasMessageContaining("ai.djl.pytorch:pytorch-native-cu124:2.5.1:linux-x86_64");
        }
    }

    @Test
    void aNativeJarOfAnotherPyTorchIsRefused() throws IOException {
        nativeJar("2.4.0-20240701");
        assertThatThrownBy(() -> NativeLibraryCheck.require(isolated(dir)))
                .isInstanceOfSatisfying(EngineSetupException.class,
                        e -> assertThat(e.code()).isEqualTo("NATIVE_LIBRARY_MISMATCH"))
                .hasMessageContaining("2.4.0").hasMessageContaining(NativeLibraryCheck.CPU_ARTIFACT);
    }

    @Test
    void anIncompleteNativeJarIsRefused() throws IOException {
        write("native/lib/pytorch.properties", "version=2.5.1-20241113\nflavor=cpu\nclassifier="
                + NativeLibraryCheck.platformClassifier() + "\nlibraries=libtorch_cpu.so\n");
        assertThatThrownBy(() -> NativeLibraryCheck.require(isolated(dir)))
                .isInstanceOfSatisfying(EngineSetupException.class,
                        e -> assertThat(e.code()).isEqualTo("NATIVE_LIBRARY_MISSING"))
                .hasMessageContaining("libtorch_cpu.so");
    }

    @Test
    void theJniJarIsRequiredToo() throws IOException {
        nativeJar("2.5.1-20241113");
        assertThatThrownBy(() -> NativeLibraryCheck.require(isolated(dir)))
                .isInstanceOfSatisfying(EngineSetupException.class,
                        e -> assertThat(e.code()).isEqualTo("NATIVE_LIBRARY_MISSING"))
                .hasMessageContaining(NativeLibraryCheck.JNI_ARTIFACT);
        write("jnilib/pytorch.properties", "jni_version=2.5.1-0.32.0\n");
        assertThatThrownBy(() -> NativeLibraryCheck.require(isolated(dir)))
                .isInstanceOfSatisfying(EngineSetupException.class,
                        e -> assertThat(e.code()).isEqualTo("NATIVE_LIBRARY_MISMATCH"));
    }

    @Test
    void theBuildsClasspathHasTheCpuNativeJar() {
        NativeBuild build = NativeLibraryCheck.require(EngineSetup.class.getClassLoader());
        assertThat(build.version()).startsWith("2.5.1");
        assertThat(build.flavor()).isIn("cpu", "cu124");
        assertThat(build.classifier()).isEqualTo("linux-x86_64");
    }

    @Test
    void startRunsOfflineAndReportsItsSettings() {
        EngineInfo info = Engines.start();
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(Utils.isOfflineMode()).isTrue();
        assertThat(info.engine()).isEqualTo("PyTorch");
        assertThat(info.version()).startsWith("2.5.1");
        assertThat(info.engineCacheDir()).isEqualTo(Utils.getEngineCacheDir());
        assertThat(Files.isDirectory(Utils.getEngineCacheDir("pytorch"))).isTrue();
        assertThat(info.interopThreads()).isPositive();
        assertThat(Engine.getEngine("PyTorch")).isNotNull();
        EngineSettings running = EngineSettings.fromSystemProperties();
        if (running.interopThreads() == 0 && running.intraopThreads() == 0) {
            assertThat(info.interopThreads()).as("one inter-op thread unless configured").isEqualTo(1);
            assertThat(info.intraopThreads()).as("one intra-op thread per CPU of the quota unless configured")
                    .isEqualTo(CpuQuota.ofThisProcess().threads());
        }
    }

    @Test
    void intraOpThreadsCanChangeButTheCacheDirectoryCannot() {
        EngineInfo info = Engines.start();
        EngineSettings running = EngineSettings.fromSystemProperties();
        int original = JniUtils.getNumThreads();
        try {
            EngineInfo changed = EngineSetup.start(running.withThreads(running.interopThreads(), 1));
            assertThat(changed.intraopThreads()).isEqualTo(1);
            assertThat(JniUtils.getNumThreads()).isEqualTo(1);
        } finally {
            JniUtils.setNumThreads(original);
        }
        assertThatThrownBy(() -> EngineSetup.start(running.withCacheDir(dir)))
                .isInstanceOfSatisfying(EngineSetupException.class,
                        e -> assertThat(e.code()).isEqualTo("ENGINE_ALREADY_STARTED"));
        assertThat(info.engineCacheDir()).isEqualTo(Utils.getEngineCacheDir());
    }

    @Test
    void settingsComeFromSystemProperties() {
        String[] keys = {EngineSettings.CACHE_DIR_PROPERTY, EngineSettings.INTEROP_THREADS_PROPERTY,
            EngineSettings.INTRAOP_THREADS_PROPERTY};
        String[] saved = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            saved[i] = System.getProperty(keys[i]);
        }
        try {
            System.setProperty(EngineSettings.CACHE_DIR_PROPERTY, dir.toString());
            System.setProperty(EngineSettings.INTEROP_THREADS_PROPERTY, "2");
            System.setProperty(EngineSettings.INTRAOP_THREADS_PROPERTY, " 3 ");
            assertThat(EngineSettings.fromSystemProperties()).isEqualTo(new EngineSettings(dir, 2, 3));
            System.setProperty(EngineSettings.INTRAOP_THREADS_PROPERTY, "many");
            assertThatThrownBy(EngineSettings::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(EngineSettings.INTRAOP_THREADS_PROPERTY);
            assertThatThrownBy(() -> new EngineSettings(null, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            for (int i = 0; i < keys.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(keys[i]);
                } else {
                    System.setProperty(keys[i], saved[i]);
                }
            }
        }
    }
}
