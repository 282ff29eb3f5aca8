package io.github.agentlifecycle.core.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Checks that a directory, and the files in it, can be trusted by this process: nobody but its user (or root) can
 * have put or changed anything there. On systems without POSIX ownership and modes (Windows) nothing is checked.
 *
 * <p>A trusted directory is a real directory (not a symbolic link) owned by this process's user, with no permission
 * for group or others, and each of its ancestors is a real directory owned by this user or root that others cannot
 * write to, unless it is sticky (like {@code /tmp}), where others cannot rename what they do not own. A trusted file
 * in it is a regular file (not a link, a pipe or a device) owned by this user, that others cannot write to, and of
 * at most a given size.
 */
public final class PrivateDirectory {
    private static final int GROUP_OR_OTHERS = 0077;
    private static final int WRITABLE_BY_OTHERS = 0022;
    private static final int STICKY = 01000;
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

    private final Path path;
    private final int user;

    private PrivateDirectory(Path path, int user) {
        this.path = path;
        this.user = user;
    }

    /**
     * Creates {@code directory} (and missing parents) private to this user, then checks it can be trusted.
     *
     * @throws IOException if it cannot be created, or naming what makes it untrustworthy
     */
    public static PrivateDirectory prepare(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath().normalize();
        if (!POSIX) {
            return new PrivateDirectory(Files.createDirectories(absolute), -1);
        }
        int self = currentUser();
        createPrivately(absolute);
        check(absolute, self, true);
        for (Path ancestor = absolute.getParent(); ancestor != null; ancestor = ancestor.getParent()) {
            check(ancestor, self, false);
        }
        return new PrivateDirectory(absolute, self);
    }

    /** The directory, as an absolute path. */
    public Path path() {
        return path;
    }

    /**
     * Checks that {@code file} can be trusted: a regular file owned by this user, not writable by others, of at most
     * {@code maxBytes}.
     *
     * @throws NoSuchFileException if it does not exist (any more)
     * @throws IOException naming what makes it untrustworthy
     */
    public void checkFile(Path file, long maxBytes) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(file.toString());
            }
            throw new IOException(file + " is not a regular file");
        }
        if (POSIX) {
            int owner = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != user) {
                throw new IOException(file + " is owned by uid " + owner + ", not by this process's user (uid "
                        + user + ")");
            }
            int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & WRITABLE_BY_OTHERS) != 0) {
                throw new IOException(file + " can be written by others (mode " + octal(mode) + ")");
            }
        }
        if (Files.size(file) > maxBytes) {
            throw new IOException(file + " is larger than " + maxBytes + " bytes");
        }
    }

    private static void createPrivately(Path directory) throws IOException {
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path parent = directory.getParent();
        if (parent != null) {
            createPrivately(parent);
        }
        try {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // created meanwhile (or a link in its place): the checks decide whether it can be trusted
        }
    }

    private static void check(Path directory, int self, boolean own) throws IOException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(directory + " is not a directory (a symbolic link?)");
        }
        int owner = (Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (own) {
            if (owner != self) {
                throw new IOException(directory + " is owned by uid " + owner + ", not by this process's user (uid "
                        + self + ")");
            }
            if ((mode & GROUP_OR_OTHERS) != 0) {
                throw new IOException(directory + " is open to group or others (mode " + octal(mode)
                        + "); it must be private to its user (chmod 700)");
            }
            return;
        }
        if (owner != self && owner != 0) {
            throw new IOException(directory + ", above the state directory, is owned by uid " + owner
                    + ", neither this process's user (uid " + self + ") nor root");
        }
        if ((mode & WRITABLE_BY_OTHERS) != 0 && (mode & STICKY) == 0) {
            throw new IOException(directory + ", above the state directory, can be written by others (mode "
                    + octal(mode) + ")");
        }
    }

    /** This process's user: the owner of {@code /proc/self} where there is one, else of a file it creates. */
    private static int currentUser() throws IOException {
        Path self = Path.of("/proc/self");
        if (Files.isDirectory(self)) {
            return (Integer) Files.getAttribute(self, "unix:uid");
        }
        Path probe = Files.createTempFile("agent-lifecycle-owner-", ".tmp");
        try {
            return (Integer) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }
}
