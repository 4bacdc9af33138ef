package dev.fusion.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Two jobs on one Flink TaskManager load the job jar in two user-code class loaders, and the JVM
 * lets only one class loader load a native library file: each must get its own copy.
 */
class DjlNativesClassLoaderTest {

    @Test
    void twoClassLoadersEachLoadTheLibrary() throws Exception {
        String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
        URL[] classPath = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            classPath[i] = Path.of(entries[i]).toUri().toURL();
        }
        for (int job = 0; job < 2; job++) {
            try (URLClassLoader loader =
                    new URLClassLoader(classPath, ClassLoader.getPlatformClassLoader())) {
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                thread.setContextClassLoader(loader);
                try {
                    Class<?> probe = loader.loadClass(DjlNativesProbe.class.getName());
                    assertThat(probe).isNotSameAs(DjlNativesProbe.class);
                    assertThat(probe.getMethod("idsOfTheLazyDog").invoke(null))
                            .as("job %d", job).isEqualTo("[2, 8, 15, 16, 3]");
                } finally {
                    thread.setContextClassLoader(previous);
                }
            }
        }
    }
}
