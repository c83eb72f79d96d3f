package io.deagent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoPathsTest {

    @TempDir
    Path repo;

    private void touch(String path) throws IOException {
        Path p = repo.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "# " + path + "\n");
    }

    @Test
    void aConfiguredPrefixMapsTheRuntimePathLongestPrefixFirst() throws IOException {
        touch("dags/sales/orders.py");
        touch("airflow/dags/sales/orders.py");
        List<RepoPaths.Mapping> map = RepoPaths.parse("/opt/airflow/=airflow/; /opt/airflow/dags/=dags/");
        RepoPaths.Found f = RepoPaths.find("/opt/airflow/dags/sales/orders.py:42", map, repo);
        assertThat(f)
                .isEqualTo(new RepoPaths.Found.File("dags/sales/orders.py", "path map /opt/airflow/dags/ → dags/"));
    }

    @Test
    void withoutAMapTheOnlyFileOfThatNameIsIt() throws IOException {
        touch("jobs/transform_orders.py");
        touch("jobs/other.py");
        assertThat(RepoPaths.find("/opt/airflow/jobs/transform_orders.py:61", List.of(), repo))
                .isEqualTo(new RepoPaths.Found.File(
                        "jobs/transform_orders.py", "the only file named transform_orders.py"));
    }

    @Test
    void sameNamesAreToldApartByTheirFoldersOrReportedAsAmbiguous() throws IOException {
        touch("dags/sales/etl.py");
        touch("dags/finance/etl.py");
        assertThat(RepoPaths.find("/opt/airflow/dags/finance/etl.py", List.of(), repo))
                .isInstanceOf(RepoPaths.Found.File.class)
                .extracting(f -> ((RepoPaths.Found.File) f).repoPath())
                .isEqualTo("dags/finance/etl.py");
        assertThat(RepoPaths.find("/somewhere/else/etl.py", List.of(), repo))
                .isEqualTo(new RepoPaths.Found.Ambiguous(List.of("dags/finance/etl.py", "dags/sales/etl.py")));
    }

    @Test
    void aMissingFileSaysSoAndAMappingCannotEscapeTheRepository() throws IOException {
        touch("dags/a.py");
        assertThat(RepoPaths.find("/opt/jobs/missing.py", List.of(), repo)).isInstanceOf(RepoPaths.Found.Missing.class);
        Path outside = repo.getParent().resolve("secret.py");
        Files.writeString(outside, "x");
        try {
            assertThat(RepoPaths.find("/opt/x/../secret.py", RepoPaths.parse("/opt/x/=../"), repo))
                    .isInstanceOf(RepoPaths.Found.Missing.class);
        } finally {
            Files.delete(outside);
        }
        assertThatThrownBy(() -> RepoPaths.parse("/opt/airflow/dags"))
                .hasMessageContaining("runtime_prefix=repo_prefix");
    }
}
