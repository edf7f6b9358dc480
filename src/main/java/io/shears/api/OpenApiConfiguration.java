package io.shears.api;

import io.shears.pipeline.JobSpec;
import io.shears.pipeline.OptionLabel;
import io.shears.pruning.OptionNames;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Contact;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.servers.Server;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.tags.Tag;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.PropertyCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.lang.annotation.Annotation;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The OpenAPI document's frame. The server is the relative URL "/" so that the document is the same on every host
 * and port (the committed openapi.yaml is compared with the live one) and Swagger UI calls the host it was loaded
 * from.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "Shears", version = "v1",
        description = "Zero-shot structured pruning of ONNX models to a compute budget, with BatchNorm "
                + "recalibration, fine-tuning, evaluation and measured latency. Errors are application/problem+json "
                + "with a stable 'code'.",
        contact = @Contact(name = "the Shears maintainers"),
        license = @License(name = "Apache-2.0", identifier = "Apache-2.0")),
        servers = @Server(url = "/", description = "the Shears instance serving this document"))
@SecurityScheme(name = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API key: 'Authorization: Bearer shk_...'")
class OpenApiConfiguration {

    /**
     * The API key filter answers before any controller, so its refusals (401 on every secured operation, 403 on the
     * admin ones) are added here once rather than on each method, where one could be forgotten. Tags are sorted
     * because springdoc lists them in the order it happens to meet the controllers.
     */
    @Bean
    OpenApiCustomizer keyRefusalsAndTagOrder() {
        return openApi -> {
            if (openApi.getTags() != null) {
                openApi.getTags().sort(Comparator.comparing(Tag::getName));
            }
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths().forEach((path, item) -> {
                for (Operation op : item.readOperations()) {
                    if (op.getSecurity() == null || op.getSecurity().isEmpty()) {
                        continue;
                    }
                    op.getResponses().putIfAbsent("401", refusal("No API key, or an unknown or revoked one",
                            "UNAUTHENTICATED", "unauthenticated"));
                    if (path.startsWith("/v1/admin")) {
                        op.getResponses().putIfAbsent("403", refusal("The API key is not an admin key",
                                "FORBIDDEN", "forbidden"));
                    }
                }
            });
        };
    }

    @Bean
    OpenApiCustomizer examplesFromResources() {
        return OpenApiExamples.load();
    }

    /** Both rules about one field, in this order, since the second extends what the first lists. */
    @Bean
    PropertyCustomizer fieldValuesAndNullability() {
        return (property, type) -> withNull(withOptionLabels(property, type), type);
    }

    /**
     * A job spec option is a string whose values are an enum's labels ("within-groups"); the schema lists them from
     * the same enum that {@link OptionLabel} checks against, so the two cannot disagree.
     */
    private static Schema<?> withOptionLabels(Schema<?> property, AnnotatedType type) {
        for (Annotation annotation : annotations(type)) {
            if (annotation instanceof OptionLabel option) {
                @SuppressWarnings("unchecked")
                Schema<Object> options = (Schema<Object>) property;
                options.setEnum(new ArrayList<>(OptionNames.labelsOf(option.value())));
            }
        }
        return property;
    }

    /**
     * A field annotated {@code @Nullable} may be JSON null. OpenAPI 3.1 says so with the type "null": swagger-core adds
     * it to a plain type's list, but an enum must also list null as a value, and a reference to another schema becomes
     * "one of that schema or null".
     */
    private static Schema<?> withNull(Schema<?> property, AnnotatedType type) {
        if (annotations(type).stream().noneMatch(a -> a.annotationType().getSimpleName().equals("Nullable"))) {
            return property;
        }
        if (property.get$ref() != null) {
            return new JsonSchema().oneOf(List.of(new JsonSchema().$ref(property.get$ref()),
                    new JsonSchema().types(Set.of("null"))));
        }
        if (property.getEnum() != null && !property.getEnum().contains(null)) {
            property.getEnum().add(null);
        }
        return property;
    }

    private static List<Annotation> annotations(AnnotatedType type) {
        return type.getCtxAnnotations() == null ? List.of() : Arrays.asList(type.getCtxAnnotations());
    }

    /**
     * What the service answers always has every field of its record: Jackson writes a null one as null, never leaves
     * it out. So every property of a schema that only answers (none of the schemas a request body reaches) is
     * required, and a generated client types it as present. The problem body is built elsewhere and left out.
     */
    @Bean
    OpenApiCustomizer answeredFieldsRequired() {
        return openApi -> {
            if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null
                    || openApi.getPaths() == null) {
                return;
            }
            Map<String, Schema> schemas = openApi.getComponents().getSchemas();
            Set<String> sent = new TreeSet<>();
            openApi.getPaths().values().forEach(item -> item.readOperations().forEach(op -> {
                if (op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
                    op.getRequestBody().getContent().values().forEach(media -> reach(media.getSchema(), schemas, sent));
                }
            }));
            schemas.forEach((name, raw) -> {
                Schema<?> schema = raw;
                if (!sent.contains(name) && !name.equals(ProblemDocument.SCHEMA) && schema.getProperties() != null) {
                    schema.setRequired(new ArrayList<>(new TreeSet<>(schema.getProperties().keySet())));
                }
            });
        };
    }

    /** Adds the names of the component schemas that this schema refers to, directly or through others. */
    private static void reach(Schema<?> schema, Map<String, Schema> schemas, Set<String> reached) {
        if (schema == null) {
            return;
        }
        if (schema.get$ref() != null) {
            String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
            if (reached.add(name)) {
                reach(schemas.get(name), schemas, reached);
            }
            return;
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(p -> reach(p, schemas, reached));
        }
        reach(schema.getItems(), schemas, reached);
        if (schema.getAdditionalProperties() instanceof Schema<?> values) {
            reach(values, schemas, reached);
        }
        for (List<Schema> parts : Arrays.asList(schema.getOneOf(), schema.getAnyOf(), schema.getAllOf())) {
            if (parts != null) {
                parts.forEach(p -> reach(p, schemas, reached));
            }
        }
    }

    /**
     * A budget is exactly one target, which the spec's validation checks. The schema says so in words and with
     * minProperties rather than as a oneOf of four one-field objects: without a discriminator, a generated client
     * (Java's native one among them) reads an untagged oneOf by trying every alternative while ignoring unknown
     * fields, so all four match and it refuses every job it reads; and the stored spec writes the three unused
     * targets as null, which would still count as present.
     */
    @Bean
    OpenApiCustomizer budgetIsOneTarget() {
        return openApi -> {
            Schema<?> budget = openApi.getComponents() == null || openApi.getComponents().getSchemas() == null ? null
                    : openApi.getComponents().getSchemas().get(JobSpec.BudgetSpec.class.getSimpleName());
            if (budget != null) {
                budget.setDescription("Exactly one non-null target: macs or flops (an absolute compute target for "
                        + "the pruned model), fraction (of the original model's MACs), or trainFlops (the "
                        + "fine-tuning FLOPs of a sweep, with sweep and fineTune); any other combination is 422 "
                        + "INVALID_FIELD with field 'budget'.");
                budget.setMinProperties(1);
            }
        };
    }

    /**
     * A pruning field left out takes the library's default; the schema shows each one, read from the same defaults
     * the job spec fills in, so that the document cannot drift from what runs.
     */
    @Bean
    OpenApiCustomizer pruningDefaults() {
        return openApi -> {
            Schema<?> pruning = openApi.getComponents() == null || openApi.getComponents().getSchemas() == null ? null
                    : openApi.getComponents().getSchemas().get(JobSpec.PruningSpec.class.getSimpleName());
            if (pruning == null || pruning.getProperties() == null) {
                return;
            }
            JobSpec.PruningSpec defaults = JobSpec.defaultPruning();
            for (RecordComponent component : JobSpec.PruningSpec.class.getRecordComponents()) {
                Object value = value(component, defaults);
                Schema<?> property = pruning.getProperties().get(component.getName());
                if (property != null && value != null && !(value instanceof List<?> list && list.isEmpty())) {
                    property.setDefault(value);
                }
            }
        };
    }

    private static Object value(RecordComponent component, Object record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
    }

    /** A problem answer whose example is the file {@code openapi/examples/<example>.json}. */
    static ApiResponse refusal(String description, String code, String example) {
        return new ApiResponse().description(description).content(new Content().addMediaType(
                ProblemDocument.MEDIA_TYPE, new MediaType()
                        .schema(new Schema<>().$ref("#/components/schemas/" + ProblemDocument.SCHEMA))
                        .examples(Map.of(code, new Example().$ref(OpenApiExamples.REF_PREFIX + example)))));
    }
}
