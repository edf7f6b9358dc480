package io.shears.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The error codes docs/errors.md promises, read from its tables: which statuses each request code answers with, and
 * which codes a job may end with. Every refusal a test asserts is checked against it, so the document and the service
 * cannot drift apart unnoticed.
 */
final class ErrorCatalog {
    private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z0-9_]+)`");
    private static final ErrorCatalog DOCUMENTED = read(Path.of("docs/errors.md"));

    private final Map<String, Set<Integer>> statusesByCode;
    private final Set<String> jobCodes;

    private ErrorCatalog(Map<String, Set<Integer>> statusesByCode, Set<String> jobCodes) {
        this.statusesByCode = statusesByCode;
        this.jobCodes = jobCodes;
    }

    static ErrorCatalog read(Path document) {
        Map<String, Set<Integer>> statuses = new HashMap<>();
        Set<String> jobCodes = new HashSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            String[] cells = line.split("\\|");
            if (cells.length < 3 || !line.startsWith("|")) {
                continue;
            }
            String first = cells[1].strip();
            if (first.matches("\\d{3}")) {
                Matcher codes = CODE.matcher(cells[2]);
                while (codes.find()) {
                    statuses.computeIfAbsent(codes.group(1), c -> new HashSet<>()).add(Integer.parseInt(first));
                }
            } else {
                Matcher codes = CODE.matcher(first);
                while (codes.find()) {
                    jobCodes.add(codes.group(1));
                }
            }
        }
        return new ErrorCatalog(statuses, jobCodes);
    }

    /** The refusal's status and code are a row of docs/errors.md. */
    static void assertDocumented(int status, String code) {
        assertThat(DOCUMENTED.statusesByCode.getOrDefault(code, Set.of()))
                .as("docs/errors.md documents %s with status %d", code, status).contains(status);
    }

    /** A job's error code is in the jobs table of docs/errors.md, or is a request code that a job may meet. */
    static void assertDocumentedJobCode(String code) {
        assertThat(DOCUMENTED.jobCodes.contains(code) || DOCUMENTED.statusesByCode.containsKey(code))
                .as("docs/errors.md documents the job error %s", code).isTrue();
    }
}
