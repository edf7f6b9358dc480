package io.shears.engine;

/** Starts the engine once per test JVM, the way the application does, before any test touches DJL. */
final class Engines {
    private static volatile EngineInfo info;

    private Engines() {
    }

    static EngineInfo start() {
        EngineInfo started = info;
        if (started == null) {
            synchronized (Engines.class) {
                started = info;
                if (started == null) {
                    started = EngineSetup.start(EngineSettings.fromSystemProperties());
                    info = started;
                }
            }
        }
        return started;
    }
}
