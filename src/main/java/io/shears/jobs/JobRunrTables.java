package io.shears.jobs;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.jobrunr.storage.sql.SqlStorageProvider;
import org.jobrunr.storage.sql.common.DatabaseCreator;
import org.jobrunr.storage.sql.h2.H2StorageProvider;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.JarUtils;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.SQLException;

/**
 * JobRunr's tables, created under Flyway's lock instead of by JobRunr as its storage starts
 * ({@code jobrunr.database.skip-create}). JobRunr decides which of its migrations are missing before it locks its
 * migrations table, so processes that start together on an empty database each create the same tables, and all but
 * one fail to start (https://github.com/jobrunr/jobrunr/issues/1519). Flyway holds a database lock for its whole
 * run: the second process waits, then finds this migration applied. Repeatable, with JobRunr's version as the
 * checksum, so an upgrade of JobRunr runs its new migrations once.
 */
@Component
class JobRunrTables implements JavaMigration {
    private final DataSource dataSource;

    JobRunrTables(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public MigrationVersion getVersion() {
        return null;
    }

    @Override
    public String getDescription() {
        return "jobrunr tables";
    }

    @Override
    public Integer getChecksum() {
        return ("jobrunr " + JarUtils.getVersion(DatabaseCreator.class)).hashCode();
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        String database = context.getConnection().getMetaData().getDatabaseProductName();
        new DatabaseCreator(dataSource, storageFor(database)).runMigrations();
    }

    /** The databases Shears runs on: H2 embedded, PostgreSQL when scaled out. */
    static Class<? extends SqlStorageProvider> storageFor(String databaseProductName) {
        return switch (databaseProductName) {
            case "H2" -> H2StorageProvider.class;
            case "PostgreSQL" -> PostgresStorageProvider.class;
            default -> throw new IllegalStateException("Shears keeps its jobs in H2 or PostgreSQL, not in "
                    + databaseProductName);
        };
    }
}
