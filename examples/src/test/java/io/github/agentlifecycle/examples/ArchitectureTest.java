package io.github.agentlifecycle.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.http.AgentLifecycleApi;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules every module keeps: the core's {@code internal} package is the core's alone, and the
 * extension points ({@code core.spi}) are implementable without it. Checked on the main jar (or classes folder) of
 * every published module and of the examples.
 */
class ArchitectureTest {
    private static final String ROOT = "io.github.agentlifecycle";
    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter().importLocations(Stream.of(
                    AgentManager.class, LiveKitWebhooks.class, AgentLifecycleApi.class, Main.class)
            .map(ArchitectureTest::locationOf)
            .collect(Collectors.toSet()));

    /** The jar or classes folder {@code type} was loaded from. */
    private static Location locationOf(Class<?> type) {
        try {
            Path path = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isDirectory(path) ? Location.of(path) : Location.of(new JarFile(path.toFile()));
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void seesTheMainClassesOfEveryModule() {
        assertThat(MAIN_CLASSES.stream().map(c -> c.getPackageName()).distinct())
                .contains(ROOT + ".core", ROOT + ".core.spi", ROOT + ".core.internal", ROOT + ".livekit",
                        ROOT + ".http", ROOT + ".examples");
    }

    @Test
    void onlyTheCoreUsesItsInternalPackage() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".core..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".core.internal..")
                .because("adapters build on the core's API and SPI only")
                .check(MAIN_CLASSES);
    }

    @Test
    void extensionPointsDoNotUseTheImplementation() {
        noClasses().that().resideInAPackage(ROOT + ".core.spi..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".core.internal..")
                .because("an extension point must be implementable against the API alone")
                .check(MAIN_CLASSES);
    }
}
