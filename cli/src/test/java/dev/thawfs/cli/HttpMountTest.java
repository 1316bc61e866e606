package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.HttpTestServer;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
        Commands.check(tree, "zip", "-qry", "../served/app.zip", "pkg");
        Path unzipped = Files.createDirectories(work.resolve("unzipped"));
        Commands.check(unzipped, "unzip", "-q", "../served/app.zip");

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
        serveSeededRepository();
        mount("--http-listing", "index", http.endpoint + "/maven/");
        int getsAtMount = http.gets.get();
        buildThroughTheMount();
        assertTrue(http.gets.get() > getsAtMount, "the jars came over HTTP once the build asked for them");
    }

    @Test
    void mavenResolvesThroughAMountThatListsNothingFetchingOnlyWhatTheBuildAsksFor() throws Exception {
        assumeTrue(onPath("mvn"), "needs mvn on the PATH");
        serveSeededRepository();
        Path decoy = served.resolve("maven/org/decoy/decoy/1/decoy-1.jar");
        Files.createDirectories(decoy.getParent());
        Files.writeString(decoy, "never asked for");

        mount("--http-listing", "none", http.endpoint + "/maven/");
        assertEquals(List.of(), http.requests, "nothing is listed at mount");
        buildThroughTheMount();

        List<String> gets = http.requests.stream().filter(request -> request.startsWith("GET ")).toList();
        assertEquals(gets.size(), Set.copyOf(gets).size(), "each file is fetched once: " + gets);
        for (String get : gets) {
            Path file = served.resolve(get.substring("GET /".length()));
            assertTrue(Files.isRegularFile(file), "only files the build opened are fetched, no index page: " + get);
        }
        String api = "org/slf4j/slf4j-api/" + slf4jVersion() + "/slf4j-api-" + slf4jVersion() + ".jar";
        assertTrue(gets.contains("GET /maven/" + api), gets.toString());
        assertTrue(http.requests.stream().noneMatch(request -> request.contains("/org/decoy")), http.requests.toString());
        try (Stream<Path> listed = Files.list(mountpoint.resolve("org"))) {
            assertTrue(listed.map(path -> path.getFileName().toString()).toList().contains("slf4j"),
                    "a directory lists what has been looked up in it");
        }
    }

    /** What the test project's build needs (plugins included), from this machine's repository, served at /maven/. */
    private void serveSeededRepository() throws Exception {
        Path userRepository = Path.of(System.getProperty("user.home"), ".m2", "repository");
        // resolved from this machine's repository: no network
        Path seed = work.resolve("seed-repository");
        assertEquals(0, maven(project("seed-project"), settings(work.resolve("seed-settings.xml"),
                userRepository.toUri().toString()), seed, work.resolve("mvn-seed.log")),
                () -> "seeding from " + userRepository + ": " + read(work.resolve("mvn-seed.log")));
        copyRepository(seed, served.resolve("maven"));
    }

    /** Builds the test project with the mount as its only repository, and runs what it built. */
    private void buildThroughTheMount() throws Exception {
        Path userRepository = Path.of(System.getProperty("user.home"), ".m2", "repository");
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

        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                String.join(":", project.resolve("target/classes").toString(), fresh.resolve(api).toString(),
                        fresh.resolve(binding).toString()), "demo.Main").redirectErrorStream(true).start();
        String said = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run.waitFor());
        assertTrue(said.contains("resolved through thawfs"), said);
    }

    /** The requests the server got since {@code from}. */
    private List<String> requestsSince(int from) {
        return List.copyOf(http.requests.subList(from, http.requests.size()));
    }

    @Test
    void aNameTheServerDoesNotHaveIsMissingWithoutAskingAgainWithinTheNegativeTtl() throws Exception {
        Files.createDirectories(served.resolve("tree/lib"));
        mount("--http-listing", "none", "-o", "http.negative-ttl=1h", http.endpoint + "/tree/");

        assertFalse(Files.exists(mountpoint.resolve("lib/later.txt")));
        assertEquals(List.of("HEAD /tree/lib", "HEAD /tree/lib/", "HEAD /tree/lib/later.txt",
                "HEAD /tree/lib/later.txt/"), requestsSince(0), "lib is a directory (a redirect to lib/), later.txt none");
        int asked = http.requests.size();
        Files.writeString(served.resolve("tree/lib/later.txt"), "published later");
        assertFalse(Files.exists(mountpoint.resolve("lib/later.txt")), "missing for the negative TTL");
        assertEquals(List.of(), requestsSince(asked), "without asking the server again");
        assertTrue(Files.isDirectory(mountpoint.resolve("lib")));
        assertEquals(List.of(), requestsSince(asked), "what was found is not asked for again");
    }

    @Test
    void aNameThatAppearsOnTheServerIsFoundOnceTheNegativeTtlHasPassed() throws Exception {
        Files.createDirectories(served.resolve("tree"));
        mount("--http-listing", "none", "-o", "http.negative-ttl=1s", http.endpoint + "/tree/");
        Path later = mountpoint.resolve("later.txt");
        assertFalse(Files.exists(later));
        Files.writeString(served.resolve("tree/later.txt"), "published later");
        int attempts = 0;
        while (!Files.exists(later)) { // the kernel and thawfs ask again once a second has passed
            assertTrue(++attempts < 60_000, "later.txt never appeared");
            LockSupport.parkNanos(10_000_000);
        }
        assertEquals("published later", Files.readString(later));
    }

    @Test
    void aRemountOnTheSameStoreListsWhatWasLookedUpBefore() throws Exception {
        Files.createDirectories(served.resolve("tree/a/b"));
        Files.writeString(served.resolve("tree/a/b/c.txt"), "found by name");
        Files.writeString(served.resolve("tree/a/never.txt"), "never asked for");
        Process first = mount("--http-listing", "none", http.endpoint + "/tree/");
        assertEquals("found by name", Files.readString(mountpoint.resolve("a/b/c.txt")));
        assertEquals(0, processes.stop(first), processes.stderr(first));

        mount("--http-listing", "none", http.endpoint + "/tree/");
        int before = http.requests.size();
        assertEquals(List.of("a"), names(mountpoint));
        assertEquals(List.of("b"), names(mountpoint.resolve("a")));
        assertEquals(List.of("c.txt"), names(mountpoint.resolve("a/b")));
        assertEquals("found by name", Files.readString(mountpoint.resolve("a/b/c.txt")));
        assertEquals(List.of(), requestsSince(before), "listed and read from the store");
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> listed = Files.list(directory)) {
            return listed.map(path -> path.getFileName().toString()).sorted().toList();
        }
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
