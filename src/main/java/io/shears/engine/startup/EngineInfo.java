package io.shears.engine.startup;

import java.nio.file.Path;

/** What the started engine runs with, for logs and reports (latency figures are quoted with the thread counts). */
public record EngineInfo(String engine, String version, NativeBuild nativeBuild, Path engineCacheDir,
                         int interopThreads, int intraopThreads) {
}
