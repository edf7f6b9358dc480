package io.shears;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
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

    @ArchTest
    static final ArchRule engineSubPackagesFormNoCycle = slices().matching("io.shears.engine.(*)..")
            .should().beFreeOfCycles();

    /**
     * Inside `engine` the interpreter is the bottom: evaluation and training run it, and only the session at the
     * package's root puts start-up settings, evaluation and training together for the pipeline.
     */
    @ArchTest
    static final ArchRule engineLayersPointDown = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("session").definedBy("io.shears.engine")
            .layer("training").definedBy("io.shears.engine.training..")
            .layer("evaluation").definedBy("io.shears.engine.evaluation..")
            .layer("interpreter").definedBy("io.shears.engine.interpreter..")
            .layer("startup").definedBy("io.shears.engine.startup..")
            .layer("latency").definedBy("io.shears.engine.latency..")
            .layer("onnxruntime").definedBy("io.shears.engine.onnxruntime..")
            .whereLayer("session").mayNotBeAccessedByAnyLayer()
            .whereLayer("training").mayOnlyBeAccessedByLayers("session")
            .whereLayer("evaluation").mayOnlyBeAccessedByLayers("training", "session")
            .whereLayer("interpreter").mayOnlyBeAccessedByLayers("evaluation", "training", "session")
            .whereLayer("startup").mayOnlyBeAccessedByLayers("session")
            .whereLayer("latency").mayNotBeAccessedByAnyLayer()
            .whereLayer("onnxruntime").mayOnlyBeAccessedByLayers("evaluation", "latency");
}
