package io.shears.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** helm/shears rendered by the Helm library (helm-java) and parsed into its manifests. */
final class RenderedChart {
    static final Path CHART = Path.of("helm/shears");
    static final String RELEASE = "shears";
    static final String NAMESPACE = "ml";

    final String yaml;
    final List<Map<String, Object>> manifests;

    private RenderedChart(String yaml) {
        this.yaml = yaml;
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(yaml)) {
            if (doc != null) {
                docs.add(Yamls.map(doc));
            }
        }
        this.manifests = List.copyOf(docs);
    }

    /** Renders with the chart's defaults overridden by {@code sets} (Helm's --set syntax and typing). */
    static RenderedChart render(Map<String, Object> sets) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        sets.forEach(template::set);
        return new RenderedChart(template.call());
    }

    static RenderedChart render() {
        return render(Map.of());
    }

    List<Map<String, Object>> ofKind(String kind) {
        return manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
    }

    Map<String, Object> one(String kind, String name) {
        List<Map<String, Object>> found = ofKind(kind).stream()
                .filter(m -> name.equals(Yamls.at(m, "metadata", "name"))).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + " named " + name + ", found " + found.size()
                    + " among " + names());
        }
        return found.get(0);
    }

    List<String> names() {
        return manifests.stream().map(m -> m.get("kind") + "/" + Yamls.at(m, "metadata", "name")).toList();
    }

    Map<String, Object> deployment(String component) {
        return one("Deployment", RELEASE + "-" + component);
    }

    static Map<String, Object> container(Map<String, Object> deployment) {
        List<Object> containers = Yamls.list(Yamls.at(deployment, "spec", "template", "spec", "containers"));
        if (containers.size() != 1) {
            throw new AssertionError("expected one container, found " + containers.size());
        }
        return Yamls.map(containers.get(0));
    }

    /** The container's env entries by name. */
    static Map<String, Map<String, Object>> env(Map<String, Object> deployment) {
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        for (Object e : Yamls.list(container(deployment).get("env"))) {
            Map<String, Object> entry = Yamls.map(e);
            if (byName.put((String) entry.get("name"), entry) != null) {
                throw new AssertionError("env " + entry.get("name") + " is set twice");
            }
        }
        return byName;
    }

    /** What the process sees: the ConfigMaps it imports, then its own env (which wins), by name to plain value. */
    Map<String, String> effectiveEnv(Map<String, Object> deployment) {
        Map<String, String> all = new LinkedHashMap<>();
        for (Object from : Yamls.list(container(deployment).get("envFrom"))) {
            String configMap = (String) Yamls.at(Yamls.map(from), "configMapRef", "name");
            Yamls.map(one("ConfigMap", configMap).get("data")).forEach((k, v) -> all.put(k, String.valueOf(v)));
        }
        env(deployment).forEach((name, entry) -> all.put(name,
                entry.containsKey("value") ? String.valueOf(entry.get("value")) : "<valueFrom>"));
        return all;
    }

    Set<String> envNames(Map<String, Object> deployment) {
        return new LinkedHashSet<>(effectiveEnv(deployment).keySet());
    }
}
