package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnifiedDiffTest {

    @Test
    void equalTextsHaveNoDiff() {
        assertThat(UnifiedDiff.of("a.py", "x\ny\n", "x\ny\n")).isEmpty();
    }

    @Test
    void changedLineWithThreeLinesOfContext() {
        String before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        String after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assertThat(UnifiedDiff.of("jobs/x.py", before, after))
                .isEqualTo("--- a/jobs/x.py\n+++ b/jobs/x.py\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    }

    @Test
    void insertionAtTheTop() {
        assertThat(UnifiedDiff.of("f", "a\nb\n", "new\na\nb\n"))
                .isEqualTo("--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n+new\n a\n b\n");
    }

    @Test
    void emptyBeforeUsesLineZero() {
        assertThat(UnifiedDiff.of("f", "", "a\n")).isEqualTo("--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+a\n");
    }

    @Test
    void distantChangesMakeSeparateHunks() {
        StringBuilder before = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            before.append(i).append('\n');
        }
        String after = before.toString().replace("\n2\n", "\ntwo\n").replace("\n19\n", "\nnineteen\n");
        String diff = UnifiedDiff.of("f", before.toString(), after);
        assertThat(diff).contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n");
        assertThat(diff).contains("@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n");
    }

    @Test
    void nearbyChangesShareAHunk() {
        String before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        String after = "1\nB\n3\n4\n5\n6\n7\n8\nI\n10\n";
        String diff = UnifiedDiff.of("f", before, after);
        // six unchanged lines between the changes: the two contexts touch, so one hunk covers both
        assertThat(diff)
                .isEqualTo("--- a/f\n+++ b/f\n@@ -1,10 +1,10 @@\n 1\n-2\n+B\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+I\n 10\n");
    }

    @Test
    void missingFinalNewlineIsMarked() {
        assertThat(UnifiedDiff.of("f", "a\nb", "a\nc"))
                .isEqualTo("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
                        + "\\ No newline at end of file\n");
    }

    @Test
    void nonAsciiLinesAreKept() {
        assertThat(UnifiedDiff.of("f", "name = \"Überweisungen\"\nx = 1\n", "name = \"Überweisungen\"\nx = 2\n"))
                .isEqualTo("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n name = \"Überweisungen\"\n-x = 1\n+x = 2\n");
    }
}
