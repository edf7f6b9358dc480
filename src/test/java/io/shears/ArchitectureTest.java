package io.shears;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The layering that README's "How it works" describes, checked on the compiled classes. */
@AnalyzeClasses(packages = "io.shears", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** The library that the service, the workers and the command line all call. */
    private static final String[] LIBRARY = {"io.shears.files..", "io.shears.problem..", "io.shears.onnx..",
            "io.shears.graph..", "io.shears.pruning..", "io.shears.data..", "io.shears.report.."};

    @ArchTest
    static final ArchRule packagesFormNoCycle = slices().matching("io.shears.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule libraryKnowsNoSpring = noClasses().that().resideInAnyPackage(LIBRARY)
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..");

    @ArchTest
    static final ArchRule libraryKnowsNoDjl = noClasses().that().resideInAnyPackage(LIBRARY)
            .should().dependOnClassesThat().resideInAnyPackage("ai.djl..");

    @ArchTest
    static final ArchRule onlyEngineKnowsDjl = noClasses().that().resideOutsideOfPackage("io.shears.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("ai.djl..");

    @ArchTest
    static final ArchRule onlyApiServesHttp = noClasses().that().resideOutsideOfPackage("io.shears.api..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework.web..",
                    "org.springframework.http..", "jakarta.servlet..", "org.apache.catalina..", "org.apache.coyote..",
                    "org.apache.tomcat..");

    @ArchTest
    static final ArchRule pipelineKnowsNoSpring = noClasses().that().resideInAPackage("io.shears.pipeline..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..");
}
