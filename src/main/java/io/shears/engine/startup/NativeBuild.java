package io.shears.engine.startup;

/** The PyTorch native build found on the classpath, as its {@code native/lib/pytorch.properties} describes it. */
public record NativeBuild(String version, String flavor, String classifier) {
}
