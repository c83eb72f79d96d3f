package io.deagent.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A working clone of the repository, kept between fixes and brought back to the remote's base branch before
 * each one. Changes leave it only as a commit on a {@code de-agent/…} branch pushed to that branch: the base
 * branch is never pushed to, whatever the caller asks.
 */
public final class GitWorkspace {

    /** The clone, on the base branch as the remote has it now. */
    public record Checkout(Path dir, String baseBranch, String baseCommit) {}

    /** A failure to talk to the remote or to write the clone, said in a person's words. */
    public static final class GitException extends Exception {
        public GitException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static final String BRANCH_PREFIX = "de-agent/";

    private static final int TIMEOUT_SECONDS = 60;

    private final PublishSettings settings;
    private final String url;
    private final Path dir;
    private final ReentrantLock lock = new ReentrantLock();

    public GitWorkspace(PublishSettings settings) {
        this.settings = settings;
        this.url = settings.repoUrl().orElseThrow(() -> new IllegalStateException("DE_AGENT_REPO_URL is not set"));
        this.dir = settings.workDir().resolve(folderFor(url)).toAbsolutePath();
    }

    /** Only one fix at a time uses the clone; callers hold this around sync … push. */
    public ReentrantLock lock() {
        return lock;
    }

    /** Clones or fetches, then checks out the base branch exactly as the remote has it, with no stray files. */
    public Checkout sync() throws GitException {
        try {
            if (!Files.isDirectory(dir.resolve(".git"))) {
                Files.createDirectories(dir.getParent());
                deleteRecursively(dir);
                try (Git git = auth(Git.cloneRepository()
                                .setURI(url)
                                .setDirectory(dir.toFile())
                                .setNoCheckout(true))
                        .call()) {
                    return checkoutBase(git);
                }
            }
            try (Git git = Git.open(dir.toFile())) {
                auth(git.fetch().setRemote("origin").setRemoveDeletedRefs(true)).call();
                return checkoutBase(git);
            }
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw new GitException("cannot fetch " + redactUrl(url) + ": " + message(e), e);
        }
    }

    private Checkout checkoutBase(Git git) throws GitAPIException, IOException, GitException {
        String base = settings.baseBranch().orElseGet(() -> remoteHead(git));
        Ref remote = git.getRepository().findRef("refs/remotes/origin/" + base);
        if (remote == null) {
            throw new GitException("the repository has no branch '" + base + "' (DE_AGENT_REPO_BRANCH)", null);
        }
        git.checkout()
                .setName(base)
                .setCreateBranch(git.getRepository().findRef("refs/heads/" + base) == null)
                .setStartPoint("origin/" + base)
                .setForced(true)
                .call();
        git.reset()
                .setMode(ResetCommand.ResetType.HARD)
                .setRef("origin/" + base)
                .call();
        git.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
        return new Checkout(dir, base, remote.getObjectId().name());
    }

    /** The remote's default branch (its HEAD), else main or master, whichever exists. */
    private static String remoteHead(Git git) {
        try {
            Ref head = Git.lsRemoteRepository()
                    .setRemote(git.getRepository().getConfig().getString("remote", "origin", "url"))
                    .callAsMap()
                    .get(Constants.HEAD);
            if (head != null && head.isSymbolic()) {
                return org.eclipse.jgit.lib.Repository.shortenRefName(
                        head.getTarget().getName());
            }
            for (String candidate : new String[] {"main", "master"}) {
                if (git.getRepository().findRef("refs/remotes/origin/" + candidate) != null) {
                    return candidate;
                }
            }
        } catch (GitAPIException | IOException e) {
            // fall through to the usual name
        }
        return "main";
    }

    /** How many branches the remote has: proves it is reachable with these credentials (for {@code doctor}). */
    public int probe() throws GitException {
        try {
            return Git.lsRemoteRepository()
                    .setRemote(url)
                    .setHeads(true)
                    .setCredentialsProvider(credentials())
                    .setTimeout(TIMEOUT_SECONDS)
                    .call()
                    .size();
        } catch (GitAPIException | RuntimeException e) {
            throw new GitException("cannot reach " + redactUrl(url) + ": " + message(e), e);
        }
    }

    /** Whether {@code branch} exists on the remote, and at which commit. */
    public Optional<String> remoteBranch(String branch) throws GitException {
        try {
            Ref ref = Git.lsRemoteRepository()
                    .setRemote(url)
                    .setHeads(true)
                    .setCredentialsProvider(credentials())
                    .setTimeout(TIMEOUT_SECONDS)
                    .callAsMap()
                    .get("refs/heads/" + branch);
            return Optional.ofNullable(ref).map(r -> r.getObjectId().name());
        } catch (GitAPIException | RuntimeException e) {
            throw new GitException("cannot list the branches of " + redactUrl(url) + ": " + message(e), e);
        }
    }

    /**
     * Commits {@code files} (repository path → new bytes) on {@code branch}, started from the base commit, and
     * pushes that branch only. Returns the commit id.
     */
    public String commitAndPush(Checkout checkout, String branch, Map<String, byte[]> files, String message)
            throws GitException {
        if (!branch.startsWith(BRANCH_PREFIX) || branch.equals(checkout.baseBranch()) || branch.contains("..")) {
            throw new IllegalArgumentException("refusing to push to '" + branch + "': only " + BRANCH_PREFIX
                    + "… branches are written, never the base branch");
        }
        try (Git git = Git.open(checkout.dir().toFile())) {
            git.checkout()
                    .setName(branch)
                    .setCreateBranch(git.getRepository().findRef("refs/heads/" + branch) == null)
                    .setStartPoint(checkout.baseCommit())
                    .setForced(true)
                    .call();
            git.reset()
                    .setMode(ResetCommand.ResetType.HARD)
                    .setRef(checkout.baseCommit())
                    .call();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path target = checkout.dir().resolve(f.getKey()).normalize();
                if (!target.startsWith(checkout.dir())) {
                    throw new IllegalArgumentException("refusing to write outside the repository: " + f.getKey());
                }
                Files.write(target, f.getValue());
                git.add().addFilepattern(f.getKey()).call();
            }
            PersonIdent bot = new PersonIdent(settings.authorName(), settings.authorEmail());
            RevCommit commit = git.commit()
                    .setMessage(message)
                    .setAuthor(bot)
                    .setCommitter(bot)
                    .setSign(false)
                    .call();
            RefSpec spec = new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch).setForceUpdate(true);
            Iterable<PushResult> results =
                    auth(git.push().setRemote("origin").setRefSpecs(spec)).call();
            for (PushResult r : results) {
                for (RemoteRefUpdate u : r.getRemoteUpdates()) {
                    if (u.getStatus() != RemoteRefUpdate.Status.OK
                            && u.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE) {
                        throw new GitException(
                                "the push of " + branch + " was refused: " + u.getStatus()
                                        + (u.getMessage() == null ? "" : " (" + u.getMessage() + ")"),
                                null);
                    }
                }
            }
            return commit.getId().name();
        } catch (GitAPIException | IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new GitException("cannot push " + branch + " to " + redactUrl(url) + ": " + message(e), e);
        }
    }

    private <C extends TransportCommand<C, ?>> C auth(C command) {
        return command.setCredentialsProvider(credentials()).setTimeout(TIMEOUT_SECONDS);
    }

    private UsernamePasswordCredentialsProvider credentials() {
        return settings.githubToken()
                .map(t -> new UsernamePasswordCredentialsProvider("x-access-token", t))
                .orElse(null);
    }

    /** A folder name per repository URL, readable and unique. */
    static String folderFor(String url) {
        String name = url.replaceAll("(\\.git)?/*$", "");
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf(':')) + 1)
                .replaceAll("[^\\w.-]", "_");
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return name + "-" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A URL without the user-info part, for messages. */
    static String redactUrl(String url) {
        return url.replaceAll("//[^/@]+@", "//");
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return redactUrl(m);
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
