package io.shears.jobs;

import org.jobrunr.storage.StorageProvider;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;

import java.util.Set;

/**
 * Makes JobRunr's storage wait for Flyway: with {@code jobrunr.database.skip-create} JobRunr's tables come from
 * {@link JobRunrTables}, and the storage must not be started before they exist.
 */
public final class JobRunrStorageAfterMigrations extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {
    @Override
    protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
        return Set.of(StorageProvider.class);
    }
}
