package dev.thawfs.cli;

import static dev.thawfs.cli.TreeComparison.assertLsWorksEverywhere;
import static dev.thawfs.cli.TreeComparison.assertSameTree;
import static dev.thawfs.cli.TreeComparison.extract;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.cli.TreeComparison.Extraction;
import dev.thawfs.testkit.Commands.Result;
import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.fs.testing.FuseTestSupport;
import dev.thawfs.fs.thaw.ThawFilesystem;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A corpus of real artifacts, made at test time from what is on the machine (the running JDK,
 * Debian's Python wheels and dist-packages, jars from the local Maven repository, a tree with
 * hard links, a sparse file and long names), each served by S3Proxy and mounted by {@code thawfs
 * mount} as its own process on an empty store. What the mount must show comes from extracting the
 * same artifact with the real tool (tar, unzip); programs run from the mount must work.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class RealArtifactsTest {
    /** Debian's Python, which the wheels and dist-packages on this machine are made for. */
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path work;
    private S3ProxyServer s3;
    private ThawfsProcesses processes;
    private Path mountpoint;
    private Path store;

    @BeforeEach
    void start() throws Exception {
        FuseTestSupport.assumeFuse();
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("corpus");
        processes = new ThawfsProcesses(work);
        mountpoint = Files.createDirectory(work.resolve("mnt"));
        store = work.resolve("store");
    }

    @AfterEach
    void stop() throws Exception {
        if (processes != null) {
            processes.close();
        }
        if (s3 != null) {
            s3.close();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    /** Puts the file on S3 under {@code key}; returns its URI. */
    private String upload(Path file, String key) throws IOException {
        s3.put("corpus", key, Files.readAllBytes(file));
        return "s3://corpus/" + key;
    }

    /**
     * {@code thawfs mount} of the layers on the (empty) store, as its own process. These tests are
     * about what is read, not how fast: on a machine loaded by other work, three 100 MiB entries
     * streamed at once can take longer than a minute, and a read that times out is a SIGBUS to
     * whoever maps the file. S3Proxy on such a machine has taken longer than s3.request-timeout's
     * 30 s to answer one ranged GET of this 300 MiB object, three times in a row.
     */
    private Process mount(String... layersAndFlags) throws IOException {
        Path config = Files.writeString(work.resolve("slow-machine.toml"), "[s3]\nrequest-timeout = \"300s\"\n");
        List<String> args = new ArrayList<>(List.of("--config", config.toString(), "--store", store.toString(),
                "--s3-endpoint", s3.endpoint.toString(), "--fetch-timeout", "300s"));
        args.addAll(List.of(layersAndFlags));
        return processes.mount(mountpoint, args);
    }

    private void unmount(Process daemon) throws Exception {
        assertEquals(0, processes.stop(daemon), processes.stderr(daemon));
    }

    private static Path javaHome() throws IOException {
        return Path.of(System.getProperty("java.home")).toRealPath();
    }

    /** hello.jar: a class compiled and packed now with the running JDK's javac and jar. */
    private Path helloJar() throws Exception {
        Path source = Files.writeString(Files.createDirectories(work.resolve("hello-src")).resolve("Hello.java"),
                "public class Hello { public static void main(String[] a) { System.out.println(\"hello \""
                        + " + System.getProperty(\"java.home\")); } }");
        Path classes = work.resolve("hello-classes");
        Commands.check(work, javaHome().resolve("bin/javac").toString(), "-d", classes.toString(), source.toString());
        Path jar = work.resolve("hello.jar");
        Commands.check(work, javaHome().resolve("bin/jar").toString(), "cf", jar.toString(), "-C", classes.toString(),
                "Hello.class");
        return jar;
    }

    /**
     * The running JDK as a tar.gz and as a zip: two JVMs started at once from the mount on an
     * empty store both run (java -version), the mounted JDK runs a jar mounted beside it, and the
     * tree equals what tar -x / unzip make of the same archive.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tar.gz", "zip"})
    void theRunningJdkRunsFromTheMountAndEqualsItsExtraction(String format) throws Exception {
        long started = System.nanoTime();
        Path home = javaHome();
        String name = home.getFileName().toString();
        Path archive = work.resolve("jdk." + format);
        if (format.equals("zip")) {
            Commands.check(home.getParent(), "zip", "-qry", archive.toString(), name);
        } else {
            Commands.check(work, "tar", "-czf", archive.toString(), "-C", home.getParent().toString(), name);
        }
        String jdk = upload(archive, "jdk." + format);
        String apps = upload(helloJar(), "apps/hello.jar").replace("hello.jar", "");
        Files.delete(work.resolve("hello.jar"));
        System.out.printf("RealArtifactsTest jdk.%s: %d MiB artifact made in %d s%n", format,
                Files.size(archive) >> 20, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

        Process daemon = mount(jdk, apps + "=apps");
        Path java = mountpoint.resolve(name).resolve("bin/java");
        List<CompletableFuture<Result>> jvms = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            jvms.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return Commands.run(Duration.ofMinutes(3), work, Map.of(), java.toString(), "-version");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        List<Executable> checks = new ArrayList<>(); // each reported: a JVM that crashes says nothing of the tree
        for (int i = 0; i < jvms.size(); i++) {
            Result version = jvms.get(i).get(4, TimeUnit.MINUTES);
            String which = "JVM " + (i + 1) + " of 2 started at once from the mount on an empty store (" + java
                    + " -version, " + version.millis() + " ms): ";
            checks.add(() -> assertEquals(0, version.exit(), which + version.output()));
            checks.add(() -> assertTrue(version.output().contains(System.getProperty("java.version")),
                    which + version.output()));
        }
        Result hello = Commands.run(Duration.ofMinutes(3), work, Map.of(), java.toString(), "-cp",
                mountpoint.resolve("apps/hello.jar").toString(), "Hello");
        checks.add(() -> assertEquals(0, hello.exit(), "the mounted JDK running a mounted jar: " + hello.output()));
        checks.add(() -> assertTrue(hello.output().startsWith("hello ")
                && hello.output().contains(mountpoint.toString()), "java.home of the mounted JDK: " + hello.output()));

        Extraction extracted = extract(work.resolve("extracted"), format.equals("zip")
                ? new String[] {"unzip", "-q", archive.toString()} : new String[] {"tar", "-xzf", archive.toString()});
        checks.add(() -> assertSameTree(new Extraction(extracted.directory().resolve(name), extracted.startSecond()),
                mountpoint.resolve(name), "jdk." + format));
        assertAll(checks);
        unmount(daemon);
        System.out.printf("RealArtifactsTest jdk.%s: %d s%n", format,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /**
     * Cold 100 MiB files, larger than mount.materialize-on-open, mapped by another process with
     * MAP_SHARED and with MAP_PRIVATE (python3's mmap) and by another JVM (FileChannel.map, which is
     * MAP_SHARED): every byte as unzip extracts it. Once the mappings are gone and the file is
     * complete, a new open passes through (where the kernel offers passthrough).
     */
    @Test
    void coldFilesLargerThanMaterializeOnOpenMapSharedAndPrivateThenPassThrough() throws Exception {
        Path tree = Files.createDirectories(work.resolve("big"));
        Random random = new Random(100);
        for (String name : new String[] {"shared.bin", "private.bin", "java-map.bin"}) {
            byte[] block = new byte[1 << 20];
            try (OutputStream out = Files.newOutputStream(tree.resolve(name))) {
                for (int i = 0; i < 100; i++) {
                    random.nextBytes(block);
                    for (int j = 0; j < block.length; j += 2) {
                        block[j] &= 0x0f; // compressible enough that zip deflates it
                    }
                    out.write(block);
                }
            }
        }
        Path archive = work.resolve("big.zip");
        Commands.check(tree, "zip", "-q", "-1", "-r", archive.toString(), ".");
        Path extracted = extract(work.resolve("extracted"), "unzip", "-q", archive.toString()).directory();

        Process daemon = mount(upload(archive, "big.zip"));
        Path script = Files.writeString(work.resolve("map.py"), String.join("\n",
                "import hashlib, mmap, os, sys",
                "fd = os.open(sys.argv[1], os.O_RDONLY)",
                "size = os.fstat(fd).st_size",
                "flags = mmap.MAP_SHARED if sys.argv[2] == 'shared' else mmap.MAP_PRIVATE",
                "m = mmap.mmap(fd, size, flags=flags, prot=mmap.PROT_READ)",
                "digest = hashlib.sha256()",
                "for offset in range(0, size, 1 << 20):",
                "    digest.update(m[offset:offset + (1 << 20)])",
                "m.close()",
                "os.close(fd)",
                "print(digest.hexdigest())", ""));
        List<Executable> checks = new ArrayList<>();
        for (String kind : new String[] {"shared", "private"}) {
            Path file = mountpoint.resolve(kind + ".bin");
            String before = state(file);
            Result mapped = Commands.run(Duration.ofMinutes(3), work, Map.of(), PYTHON.toString(),
                    script.toString(), file.toString(), kind);
            String expected = FuseTestSupport.sha256(extracted.resolve(kind + ".bin"));
            checks.add(() -> assertEquals("cold", before, kind + ".bin before its mmap"));
            checks.add(() -> assertEquals(0, mapped.exit(), "python3 mmap MAP_" + kind.toUpperCase() + " of a cold "
                    + Files.size(extracted.resolve(kind + ".bin")) + "-byte file: " + mapped.output()));
            checks.add(() -> assertEquals(expected, mapped.output().trim(), "MAP_" + kind.toUpperCase()));
        }
        Path javaMapped = mountpoint.resolve("java-map.bin");
        String before = state(javaMapped);
        checks.add(() -> assertEquals("cold", before, "java-map.bin before its map"));
        // Another JVM maps it: this one serves S3, and a fault from its own Java code can hold up
        // a safepoint that S3Proxy's threads then wait for, while the fault waits for S3Proxy.
        Path javaMap = Files.writeString(work.resolve("JavaMap.java"), String.join("\n",
                "import java.nio.channels.FileChannel;",
                "import java.nio.file.Path;",
                "import java.security.MessageDigest;",
                "import java.util.HexFormat;",
                "public class JavaMap {",
                "    public static void main(String[] args) throws Exception {",
                "        try (FileChannel channel = FileChannel.open(Path.of(args[0]))) {",
                "            MessageDigest digest = MessageDigest.getInstance(\"SHA-256\");",
                "            digest.update(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));",
                "            System.out.println(HexFormat.of().formatHex(digest.digest()));",
                "        }",
                "    }",
                "}", ""));
        Result javaMappedDigest = Commands.run(Duration.ofMinutes(3), work, Map.of(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), javaMap.toString(), javaMapped.toString());
        String javaExpected = FuseTestSupport.sha256(extracted.resolve("java-map.bin"));
        checks.add(() -> assertEquals(0, javaMappedDigest.exit(), "FileChannel.map READ_ONLY (MAP_SHARED) in another JVM: "
                + javaMappedDigest.output()));
        checks.add(() -> assertEquals(javaExpected, javaMappedDigest.output().trim(), "FileChannel.map bytes"));
        String tier = status().replaceAll("(?s).*\\btier=(\\w+).*", "$1");
        for (String name : new String[] {"shared.bin", "private.bin", "java-map.bin"}) {
            Path file = mountpoint.resolve(name);
            checks.add(() -> {
                assertEquals(FuseTestSupport.sha256(extracted.resolve(name)), FuseTestSupport.sha256(file),
                        name + " read whole");
                String now = state(file);
                // The rest streams in after the first open, and the kernel sends the read's RELEASE
                // after close returns: until it arrives the backing is still attached (passthrough).
                for (int i = 0; i < 600 && !now.equals("materialized"); i++) {
                    LockSupport.parkNanos(100_000_000);
                    now = state(file);
                }
                assertEquals("materialized", now, name + " is complete in the store a while after it was read whole");
                try (FileChannel held = FileChannel.open(file, StandardOpenOption.READ)) {
                    if (PassthroughTier.valueOf(tier).passesThrough()) {
                        assertEquals("passthrough", state(file), name + ": a new open once the mappings are gone"
                                + " (tier " + tier + ")");
                    }
                }
            });
        }
        assertAll(checks);
        unmount(daemon);
    }

    private static String state(Path file) throws Exception {
        return NativeFiles.getxattr(file, "user.thawfs.state");
    }

    private String status() throws Exception {
        return NativeFiles.getxattr(mountpoint, ThawFilesystem.STATUS_XATTR);
    }

    /**
     * Debian's wheels of pip and setuptools (python3-pip-whl), each a zip with its packages at the
     * root: mounted, they equal unzip's extraction, and python3 runs pip and imports setuptools
     * from the mount.
     */
    @Test
    void debiansPythonWheelsRunFromTheMount() throws Exception {
        Path wheels = Path.of("/usr/share/python-wheels");
        Path pip = wheelOf(wheels, "pip-");
        Path setuptools = wheelOf(wheels, "setuptools-");
        Assumptions.assumeTrue(pip != null && setuptools != null && Files.isExecutable(PYTHON),
                "Debian's python3-pip-whl and python3 are not installed (bin/setup installs them)");
        Process daemon = mount(upload(pip, "wheels/" + pip.getFileName()) + "=pip-wheel",
                upload(setuptools, "wheels/" + setuptools.getFileName()) + "=setuptools-wheel");
        Map<String, String> environment = Map.of("PYTHONPATH", mountpoint.resolve("pip-wheel").toString(),
                "PYTHONNOUSERSITE", "1", "PYTHONDONTWRITEBYTECODE", "1");
        Result version = Commands.run(Duration.ofMinutes(3), work, environment, PYTHON.toString(), "-m", "pip",
                "--version");
        assertEquals(0, version.exit(), "python3 -m pip --version from the mounted wheel: " + version.output());
        assertTrue(version.output().contains("from " + mountpoint.resolve("pip-wheel/pip")), version.output());
        Result imported = Commands.run(Duration.ofMinutes(3), work, Map.of("PYTHONPATH",
                mountpoint.resolve("setuptools-wheel").toString(), "PYTHONNOUSERSITE", "1"), PYTHON.toString(), "-c",
                "import setuptools, pkg_resources; print(setuptools.__file__)");
        assertEquals(0, imported.exit(), imported.output());
        assertTrue(imported.output().contains(mountpoint.resolve("setuptools-wheel").toString()), imported.output());

        for (Path wheel : new Path[] {pip, setuptools}) {
            String at = wheel == pip ? "pip-wheel" : "setuptools-wheel";
            Extraction extracted = extract(work.resolve("extracted").resolve(at), "unzip", "-q", wheel.toString());
            assertSameTree(extracted, mountpoint.resolve(at), wheel.getFileName().toString());
        }
        unmount(daemon);
    }

    private static Path wheelOf(Path directory, String prefix) throws IOException {
        if (!Files.isDirectory(directory)) {
            return null;
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(".whl")).sorted().findFirst().orElse(null);
        }
    }

    /**
     * Packages of Debian's /usr/lib/python3/dist-packages (pure Python and a C extension, with
     * their __pycache__) as tar.gz and tar.zst: each equals tar -x of itself, and python3 imports
     * them from the mount, loading the extension module from it.
     */
    @Test
    void distPackagesAsTarGzAndTarZstImportFromTheMount() throws Exception {
        Path distPackages = Path.of("/usr/lib/python3/dist-packages");
        List<String> packages = Stream.of("yaml", "_yaml", "pygments", "distro", "jwt", "six.py", "pyparsing")
                .filter(p -> Files.exists(distPackages.resolve(p))).toList();
        Assumptions.assumeTrue(packages.contains("yaml") && packages.size() >= 4 && Files.isExecutable(PYTHON),
                "Debian's python3-yaml and a few other python3 packages are not installed");
        List<String> tarGz = new ArrayList<>(List.of("tar", "-czf", work.resolve("dist.tar.gz").toString(), "-C",
                distPackages.toString()));
        tarGz.addAll(packages);
        Commands.check(work, tarGz.toArray(String[]::new));
        List<String> tarZst = new ArrayList<>(List.of("tar", "--zstd", "-cf", work.resolve("dist.tar.zst").toString(),
                "-C", distPackages.toString()));
        tarZst.addAll(packages);
        Commands.check(work, tarZst.toArray(String[]::new));

        Process daemon = mount(upload(work.resolve("dist.tar.gz"), "dist.tar.gz") + "=gz",
                upload(work.resolve("dist.tar.zst"), "dist.tar.zst") + "=zst");
        for (String layer : new String[] {"gz", "zst"}) {
            Result imported = Commands.run(Duration.ofMinutes(3), work, Map.of("PYTHONPATH",
                    mountpoint.resolve(layer).toString(), "PYTHONNOUSERSITE", "1", "PYTHONDONTWRITEBYTECODE", "1"),
                    PYTHON.toString(), "-c", "import yaml, yaml._yaml, pygments.lexers, distro; print(yaml.__file__);"
                            + " print(yaml._yaml.__file__); print(yaml.__with_libyaml__);"
                            + " print(yaml.safe_load('a: [1, 2]'))");
            assertEquals(0, imported.exit(), layer + ": " + imported.output());
            assertTrue(imported.output().contains(mountpoint.resolve(layer).resolve("yaml/_yaml.cpython").toString())
                    && imported.output().contains("True") && imported.output().contains("{'a': [1, 2]}"),
                    layer + ": yaml and its C extension from the mount: " + imported.output());
        }
        for (String layer : new String[] {"gz", "zst"}) {
            Extraction extracted = extract(work.resolve("extracted-" + layer), "tar", "-xf",
                    work.resolve(layer.equals("gz") ? "dist.tar.gz" : "dist.tar.zst").toString());
            assertSameTree(extracted, mountpoint.resolve(layer), "dist-packages as " + layer);
        }
        unmount(daemon);
    }

    /**
     * Jars from the local Maven repository (the picocli and commons-compress jars this build uses):
     * mounted as archives they equal unzip's extraction; mounted as files (an S3 prefix), a class
     * loads from them.
     */
    @Test
    void jarsFromTheLocalMavenRepositoryEqualUnzipAndLoadClasses() throws Exception {
        Path picocli = jarOf(picocli.CommandLine.class);
        Path compress = jarOf(org.apache.commons.compress.archivers.zip.ZipFile.class);
        Path io = jarOf(org.apache.commons.io.IOUtils.class); // what commons-compress's ZipFile needs
        upload(picocli, "m2/" + picocli.getFileName());
        upload(compress, "m2/" + compress.getFileName());
        upload(io, "m2/" + io.getFileName());
        Process daemon = mount(upload(picocli, picocli.getFileName().toString()) + "=picocli",
                upload(compress, compress.getFileName().toString()) + "=commons-compress", "s3://corpus/m2/=jars");
        Path loader = Files.writeString(work.resolve("Load.java"), "public class Load { public static void main("
                + "String[] a) throws Exception { Class<?> c = Class.forName(a[0]); System.out.println(c.getName()"
                + " + \" \" + c.getDeclaredMethods().length + \" methods from \""
                + " + c.getProtectionDomain().getCodeSource().getLocation().getPath()); } }");
        String java = javaHome().resolve("bin/java").toString();
        for (String[] jarAndClass : new String[][] {{picocli.getFileName().toString(), "picocli.CommandLine"},
            {compress.getFileName().toString(), "org.apache.commons.compress.archivers.zip.ZipFile"}}) {
            Path jar = mountpoint.resolve("jars").resolve(jarAndClass[0]);
            String classPath = TreeComparison.path(jar, mountpoint.resolve("jars").resolve(io.getFileName()));
            Result loaded = Commands.run(Duration.ofMinutes(3), work, Map.of(), java, "-cp", classPath,
                    loader.toString(), jarAndClass[1]);
            assertEquals(0, loaded.exit(), jarAndClass[1] + " from " + jar + ": " + loaded.output());
            assertTrue(loaded.output().contains(jarAndClass[1] + " ") && loaded.output().contains("from " + jar),
                    loaded.output());
        }
        for (Path jar : new Path[] {picocli, compress}) {
            String at = jar == picocli ? "picocli" : "commons-compress";
            Extraction extracted = extract(work.resolve("extracted").resolve(at), "unzip", "-q", jar.toString());
            assertSameTree(extracted, mountpoint.resolve(at), jar.toString());
            assertEquals(FuseTestSupport.sha256(jar), FuseTestSupport.sha256(mountpoint.resolve("jars")
                    .resolve(jar.getFileName())), jar.getFileName() + " as a file of the prefix");
        }
        unmount(daemon);
    }

    private static Path jarOf(Class<?> type) throws Exception {
        Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(jar.toString().endsWith(".jar") && jar.startsWith(Path.of(System.getProperty("user.home"), ".m2")),
                type + " comes from a jar of the local Maven repository: " + jar);
        return jar;
    }

    /**
     * A tree made with the real tools (hard links by ln, a sparse file by truncate and dd, names
     * and a link target over 100 bytes, symlinks, modes, an old mtime) archived from inside with
     * {@code tar -C dir .} (entries ./, ./a...) as GNU and POSIX tar with --sparse, POSIX without,
     * and as tar.gz; by name (no ./ entries) as GNU tar; and with {@code zip -ry}: each archive,
     * mounted at the root, equals its extraction, and ls works in every directory.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gnu.tar", "posix.tar", "posix-without-sparse.tar", "gnu-by-name.tar", "gnu.tar.gz",
        "tree.zip"})
    void aTreeArchivedFromInsideWithHardLinksSparseFilesAndLongNamesEqualsItsExtraction(String artifact)
            throws Exception {
        Path tree = work.resolve("tree");
        Trees.create(tree);
        Files.createDirectories(tree.resolve("bin"));
        Commands.check(tree, "cp", "-p", "/bin/ls", "bin/ls");
        Commands.check(tree, "cp", "-p", "/etc/os-release", "os-release");
        Commands.check(tree, "ln", "bin/ls", "bin/ls-hard-link");
        Commands.check(tree, "ln", "os-release", "pkg/lib/os-release-hard-link");
        Commands.check(tree, "truncate", "-s", "20M", "sparse.img");
        Commands.check(tree, "dd", "if=/bin/ls", "of=sparse.img", "bs=1M", "seek=8", "conv=notrunc", "status=none");
        String longName = "a-directory-name-that-is-long-" + "x".repeat(60);
        Path deep = Files.createDirectories(tree.resolve(longName).resolve(longName));
        String longFile = "a-file-name-longer-than-a-tar-header-has-room-for-" + "y".repeat(80) + ".txt";
        Commands.check(deep, "cp", "-p", "/etc/os-release", longFile);
        Commands.check(deep, "ln", "-s", "../" + longName + "/" + longFile, "a-link-to-a-long-target");
        Commands.check(tree, "ln", "-s", "bin/ls", "ls-link");
        // dated before the test, so that the directories' mtimes in the archive can be compared
        Commands.check(tree, "find", ".", "-type", "d", "-exec", "touch", "-d", "2001-09-09 01:46:40", "{}", "+");

        Path archive = work.resolve(artifact);
        switch (artifact) {
            case "gnu.tar" -> Commands.check(work, "tar", "--format=gnu", "--sparse", "-cf", archive.toString(), "-C",
                    tree.toString(), ".");
            case "posix.tar" -> Commands.check(work, "tar", "--format=posix", "--sparse", "-cf", archive.toString(), "-C",
                    tree.toString(), ".");
            case "posix-without-sparse.tar" -> Commands.check(work, "tar", "--format=posix", "-cf", archive.toString(), "-C",
                    tree.toString(), ".");
            case "gnu-by-name.tar" -> { // the same tree without ./ entries: names as given, a/, a/b...
                List<String> tar = new ArrayList<>(List.of("tar", "--format=gnu", "--sparse", "-cf",
                        archive.toString()));
                try (Stream<Path> top = Files.list(tree)) {
                    top.map(p -> p.getFileName().toString()).sorted().forEach(tar::add);
                }
                Commands.check(tree, tar.toArray(String[]::new));
            }
            case "gnu.tar.gz" -> Commands.check(work, "tar", "--format=gnu", "--sparse", "-czf", archive.toString(), "-C",
                    tree.toString(), ".");
            default -> Commands.check(tree, "zip", "-qry", archive.toString(), ".");
        }
        Extraction extracted = extract(work.resolve("extracted"), artifact.endsWith(".zip")
                ? new String[] {"unzip", "-q", archive.toString()} : new String[] {"tar", "-xf", archive.toString()});

        Process daemon = mount(upload(archive, artifact));
        assertAll(() -> assertLsWorksEverywhere(mountpoint), () -> assertSameTree(extracted, mountpoint, artifact));
        unmount(daemon);
    }
}
