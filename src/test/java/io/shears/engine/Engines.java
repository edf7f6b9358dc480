package io.shears.engine;

import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.startup.EngineSetup;

/** Starts the engine once per test JVM, the way the application does, before any test touches DJL. */
public final class Engines {
    private static volatile EngineInfo info;

    private Engines() {
    }

    public static EngineInfo start() {
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
