package dev.fusion.it.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The jars the build attaches with the shade plugin, read from the repository's POMs: each as
 * its path relative to the repository root ({@code <module>/target/<artifact>-<version>-<classifier>.jar}),
 * so that deployment files can be checked against the names the build really makes.
 */
final class BuildOutputs {

    private BuildOutputs() {
    }

    /** The repository root: the first folder up from here that holds {@code docker/}. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docker"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docker/ folder above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** Classifier to jar path (relative to the root, with '/') of every attached shaded jar. */
    static Map<String, String> shadedJars(Path root) {
        Map<String, String> jars = new TreeMap<>();
        for (Path pom : poms(root)) {
            Element project = parse(pom).getDocumentElement();
            String artifactId = child(project, "artifactId");
            String version = child(project, "version");
            if (version == null) {
                version = child(firstElement(project, "parent"), "version");
            }
            String module = root.relativize(pom.getParent()).toString().replace('\\', '/');
            String target = (module.isEmpty() ? "" : module + "/") + "target/";
            NodeList classifiers = project.getElementsByTagName("shadedClassifierName");
            for (int i = 0; i < classifiers.getLength(); i++) {
                String classifier = classifiers.item(i).getTextContent().trim();
                jars.put(classifier, target + artifactId + "-" + version + "-" + classifier + ".jar");
            }
        }
        return jars;
    }

    /** The text of a property of the root POM ({@code <properties>}). */
    static String rootProperty(Path root, String name) {
        Element properties = firstElement(parse(root.resolve("pom.xml")).getDocumentElement(), "properties");
        String value = child(properties, name);
        if (value == null) {
            throw new IllegalStateException("the root pom.xml has no property " + name);
        }
        return value;
    }

    private static List<Path> poms(Path root) {
        try (Stream<Path> files = Files.walk(root, 4)) {
            List<Path> poms = new ArrayList<>();
            files.filter(p -> p.getFileName().toString().equals("pom.xml"))
                    .filter(p -> !root.relativize(p).toString().contains("target"))
                    .forEach(poms::add);
            return poms;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Document parse(Path pom) {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom, e);
        }
    }

    private static Element firstElement(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String child(Element parent, String name) {
        Element e = parent == null ? null : firstElement(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }
}
