package io.deagent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.testkit.GitRepos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitWorkspaceTest {

    @TempDir
    Path dir;

    private PublishSettings settings(Path bare) {
        return PublishSettings.from(name -> Optional.ofNullable(
                switch (name) {
                    case "DE_AGENT_REPO_URL" -> bare.toUri().toString();
                    case "DE_AGENT_REPO_WORKDIR" -> dir.resolve("work").toString();
                    default -> null;
                }));
    }

    @Test
    void pushesOneCommitOnItsOwnBranchAndLeavesMainAlone() throws Exception {
        Path bare = GitRepos.bareWith(dir, Map.of("jobs/etl.py", "x = 1  # Größe\n"));
        String mainBefore = GitRepos.git(dir, "--git-dir", bare.toString(), "rev-parse", "main")
                .trim();
        GitWorkspace ws = new GitWorkspace(settings(bare));

        GitWorkspace.Checkout c = ws.sync();
        assertThat(c.baseBranch()).isEqualTo("main");
        assertThat(c.baseCommit()).isEqualTo(mainBefore);
        String commit = ws.commitAndPush(
                c,
                "de-agent/data_skew/abc",
                Map.of("jobs/etl.py", "x = 2  # Größe\n".getBytes(StandardCharsets.UTF_8)),
                "de-agent: raise x\n\nbecause");

        String git = bare.toString();
        assertThat(GitRepos.git(dir, "--git-dir", git, "rev-parse", "main").trim())
                .isEqualTo(mainBefore);
        assertThat(GitRepos.git(dir, "--git-dir", git, "rev-parse", "de-agent/data_skew/abc")
                        .trim())
                .isEqualTo(commit);
        assertThat(GitRepos.git(dir, "--git-dir", git, "show", "de-agent/data_skew/abc:jobs/etl.py"))
                .isEqualTo("x = 2  # Größe\n");
        assertThat(GitRepos.git(
                        dir, "--git-dir", git, "log", "-1", "--format=%an <%ae>|%s|%P", "de-agent/data_skew/abc"))
                .isEqualTo("de-agent <de-agent@users.noreply.github.com>|de-agent: raise x|" + mainBefore + "\n");
        assertThat(ws.remoteBranch("de-agent/data_skew/abc")).contains(commit);
        assertThat(ws.remoteBranch("de-agent/other")).isEmpty();

        // the clone is back on main, clean, at the next sync
        Files.writeString(c.dir().resolve("stray.txt"), "left over");
        GitWorkspace.Checkout again = ws.sync();
        assertThat(again.baseCommit()).isEqualTo(mainBefore);
        assertThat(again.dir().resolve("stray.txt")).doesNotExist();
        assertThat(Files.readString(again.dir().resolve("jobs/etl.py"))).isEqualTo("x = 1  # Größe\n");
    }

    @Test
    void refusesToPushTheBaseBranchOrOutsideItsNamespace() throws Exception {
        Path bare = GitRepos.bareWith(dir, Map.of("a.py", "a = 1\n"));
        GitWorkspace ws = new GitWorkspace(settings(bare));
        GitWorkspace.Checkout c = ws.sync();
        Map<String, byte[]> change = Map.of("a.py", "a = 2\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ws.commitAndPush(c, "main", change, "m"))
                .hasMessageContaining("never the base branch");
        assertThatThrownBy(() -> ws.commitAndPush(c, "feature/x", change, "m")).hasMessageContaining("refusing");
        assertThatThrownBy(() -> ws.commitAndPush(c, "de-agent/x", Map.of("../escape.py", new byte[0]), "m"))
                .hasMessageContaining("outside the repository");
        assertThat(GitRepos.git(dir, "--git-dir", bare.toString(), "for-each-ref", "--format=%(refname)")
                        .trim())
                .isEqualTo("refs/heads/main");
    }

    @Test
    void anUnreachableRepositoryIsAClearError() throws IOException {
        GitWorkspace ws = new GitWorkspace(settings(dir.resolve("nowhere.git")));
        assertThatThrownBy(ws::sync)
                .isInstanceOf(GitWorkspace.GitException.class)
                .hasMessageStartingWith("cannot fetch file:");
    }
}
