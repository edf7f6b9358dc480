package io.shears.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "Shears", version = "v1",
        description = "Zero-shot structured pruning of ONNX models to a compute budget, with BatchNorm "
                + "recalibration, fine-tuning, evaluation and measured latency. Errors are application/problem+json "
                + "with a stable 'code'.",
        license = @License(name = "Apache-2.0")))
@SecurityScheme(name = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API key: 'Authorization: Bearer shk_...'")
class OpenApiConfiguration {
}
