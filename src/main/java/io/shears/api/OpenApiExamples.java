package io.shears.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.examples.Example;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI document's examples, kept as JSON files under {@code openapi/examples/} rather than as Java strings in
 * the controllers: each file is an Example Object ({@code summary}, {@code value}) and becomes
 * {@code #/components/examples/<file name>}, which the controllers' annotations refer to with
 * {@code @ExampleObject(ref = ...)}. A reference to a file that is not there is left dangling, and the linters that
 * check openapi.yaml refuse it.
 */
final class OpenApiExamples implements OpenApiCustomizer {
    static final String LOCATION = "classpath:openapi/examples/*.json";
    static final String REF_PREFIX = "#/components/examples/";

    private final Map<String, Example> examples;

    private OpenApiExamples(Map<String, Example> examples) {
        this.examples = examples;
    }

    static OpenApiExamples load() {
        JsonMapper json = JsonMapper.builder().build();
        Map<String, Example> examples = new TreeMap<>();
        try {
            Resource[] files = new PathMatchingResourcePatternResolver().getResources(LOCATION);
            Arrays.sort(files, Comparator.comparing(Resource::getFilename));
            for (Resource file : files) {
                String name = file.getFilename().substring(0, file.getFilename().length() - ".json".length());
                try (InputStream in = file.getInputStream()) {
                    Map<?, ?> fields = json.readValue(in, Map.class);
                    examples.put(name, new Example().summary((String) fields.get("summary"))
                            .value(fields.get("value")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the OpenAPI examples at " + LOCATION, e);
        }
        return new OpenApiExamples(examples);
    }

    @Override
    public void customise(io.swagger.v3.oas.models.OpenAPI openApi) {
        if (openApi.getComponents() == null) {
            openApi.setComponents(new Components());
        }
        examples.forEach(openApi.getComponents()::addExamples);
    }
}
