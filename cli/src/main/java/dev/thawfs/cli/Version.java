package dev.thawfs.cli;

import picocli.CommandLine;

/** {@code --version}: the build's version from the jar manifest. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"thawfs " + (version == null ? "(development build)" : version)};
    }
}
