package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.thawfs.fetcher.HttpTestServer;
import dev.thawfs.fetcher.Trees;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * thawfs mount of HTTP sources, as users run it: its own process, a real HTTP server on
 * 127.0.0.1 (the JDK's, serving a directory like nginx), a real kernel mount, and real tools
 * reading through it (unzip to compare with, a Maven build resolving from the mount).
 */
class HttpMountTest {
    @TempDir
    Path work;
    private Path served;
    private Path mountpoint;
    private HttpTestServer http;
    private ThawfsProcesses processes;

    @BeforeEach
    void start() throws IOException {
        FuseTestSupport.assumeFuse();
        served = Files.createDirectories(work.resolve("served"));
        mountpoint = Files.createDirectories(work.resolve("mnt"));
        http = new HttpTestServer(served);
        processes = new ThawfsProcesses(work);
    }

    @AfterEach
    void stop() throws Exception {
        if (processes != null) {
            processes.close();
            http.close();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    private Process mount(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--store", work.resolve("store").toString()));
        all.addAll(List.of(args));
        return processes.mount(mountpoint, all);
    }

    @Test
    void aZipOverHttpMountsAsUnzipExtractsIt() throws Exception {
        Path tree = work.resolve("tree");
        Trees.create(tree);
        Trees.run(tree, "zip", "-qry", "../served/app.zip", "pkg");
        Path unzipped = Files.createDirectories(work.resolve("unzipped"));
        Trees.run(unzipped, "unzip", "-q", "../served/app.zip");

        mount(http.endpoint + "/app.zip");
        assertEquals(Trees.describe(unzipped), Trees.describe(mountpoint));
        try (Stream<Path> files = Files.walk(unzipped)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path mounted = mountpoint.resolve(unzipped.relativize(file).toString());
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(mounted), mounted.toString());
            }
        }
    }

    /** The version the reactor's own pom.xml gives {@code element} (a property or a plugin's version). */
    private static String reactorVersion(String pattern) throws IOException {
        Matcher version = Pattern.compile(pattern).matcher(Files.readString(Path.of("..", "pom.xml")));
        assertTrue(version.find(), pattern);
        return version.group(1);
    }

    private static Path settings(Path file, String repository) throws IOException {
        return Files.writeString(file, "<settings><mirrors><mirror><id>only</id><mirrorOf>*</mirrorOf><url>" + repository
                + "</url></mirror></mirrors></settings>\n");
    }

    /**
     * A project whose one dependency, slf4j-jdk14, brings one more, slf4j-api: thawfs's own build
     * uses both, so a fresh machine has them locally once it has built thawfs.
     */
    private Path project(String name) throws IOException {
        Path project = work.resolve(name);
        Files.createDirectories(project.resolve("src/main/java/demo"));
        Files.writeString(project.resolve("src/main/java/demo/Main.java"), "package demo;\npublic class Main {\n"
                + "  public static void main(String[] args) {\n"
                + "    org.slf4j.LoggerFactory.getLogger(Main.class).info(\"resolved through thawfs\");\n  }\n}\n");
        String plugin = "<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>%s</artifactId><version>%s</version></plugin>";
        Files.writeString(project.resolve("pom.xml"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
                + "<modelVersion>4.0.0</modelVersion><groupId>demo</groupId><artifactId>demo</artifactId><version>1</version>\n"
                + "<properties><maven.compiler.release>17</maven.compiler.release>"
                + "<project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>\n"
                + "<dependencies><dependency><groupId>org.slf4j</groupId><artifactId>slf4j-jdk14</artifactId><version>"
                + slf4jVersion() + "</version></dependency></dependencies>\n<build><plugins>"
                + String.format(plugin, "maven-resources-plugin", pluginVersion("maven-resources-plugin"))
                + String.format(plugin, "maven-compiler-plugin", pluginVersion("maven-compiler-plugin"))
                + "</plugins></build></project>\n");
        return project;
    }

    private static String slf4jVersion() throws IOException {
        return reactorVersion("<slf4j.version>([^<]+)</slf4j.version>");
    }

    private static String pluginVersion(String artifactId) throws IOException {
        return reactorVersion("<artifactId>" + artifactId + "</artifactId><version>([^<]+)</version>");
    }

    /** Runs {@code mvn -B -q compile} on the project, its output in {@code log}; the exit code. */
    private int maven(Path project, Path settings, Path localRepository, Path log) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("mvn", "-B", "-q", "-s", settings.toString(),
                "-Dmaven.repo.local=" + localRepository, "compile").directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process mvn = builder.start();
        if (!mvn.waitFor(15, TimeUnit.MINUTES)) {
            mvn.destroyForcibly().waitFor();
            throw new AssertionError("mvn did not finish within 15 minutes: " + Files.readString(log));
        }
        return mvn.exitValue();
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    @Test
    void mavenResolvesAProjectsDependenciesFromARepositoryServedOverHttpThroughTheMount() throws Exception {
        assumeTrue(onPath("mvn"), "needs mvn on the PATH");
        Path userRepository = Path.of(System.getProperty("user.home"), ".m2", "repository");
        // what the build needs (plugins included), resolved from this machine's repository: no network
        Path seed = work.resolve("seed-repository");
        assertEquals(0, maven(project("seed-project"), settings(work.resolve("seed-settings.xml"),
                userRepository.toUri().toString()), seed, work.resolve("mvn-seed.log")),
                () -> "seeding from " + userRepository + ": " + read(work.resolve("mvn-seed.log")));
        copyRepository(seed, served.resolve("maven"));

        mount("--http-listing", "index", http.endpoint + "/maven/");
        int getsAtMount = http.gets.get();
        Path fresh = work.resolve("fresh-repository");
        Path project = project("project");
        Path log = work.resolve("mvn.log");
        assertEquals(0, maven(project, settings(work.resolve("settings.xml"), mountpoint.toUri().toString()), fresh, log),
                () -> read(log));

        String version = slf4jVersion();
        String api = "org/slf4j/slf4j-api/" + version + "/slf4j-api-" + version + ".jar";
        String binding = "org/slf4j/slf4j-jdk14/" + version + "/slf4j-jdk14-" + version + ".jar";
        String origin = Files.readString(fresh.resolve(api).resolveSibling("_remote.repositories"));
        assertTrue(origin.contains("slf4j-api-" + version + ".jar>only="), "resolved from the mirror: " + origin);
        assertArrayEquals(Files.readAllBytes(userRepository.resolve(api)), Files.readAllBytes(fresh.resolve(api)));
        assertTrue(http.gets.get() > getsAtMount, "the jars came over HTTP once the build asked for them");

        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                String.join(":", project.resolve("target/classes").toString(), fresh.resolve(api).toString(),
                        fresh.resolve(binding).toString()), "demo.Main").redirectErrorStream(true).start();
        String said = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run.waitFor());
        assertTrue(said.contains("resolved through thawfs"), said);
    }

    /** A local repository as a remote one: its artifacts, without the local bookkeeping files. */
    private static void copyRepository(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = file.getFileName().toString();
                if (name.equals("_remote.repositories") || name.endsWith(".lastUpdated")
                        || name.equals("resolver-status.properties")) {
                    continue;
                }
                Path copy = to.resolve(from.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
        }
    }

    private static String read(Path log) {
        try {
            String text = Files.readString(log);
            return text.length() < 20_000 ? text : "..." + text.substring(text.length() - 20_000);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
