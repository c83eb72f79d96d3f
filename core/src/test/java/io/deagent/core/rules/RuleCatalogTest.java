package io.deagent.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.core.Taxonomy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RuleCatalogTest {

    private static RuleCatalog load(String yaml) {
        return RuleCatalog.of(List.of(
                RuleCatalog.parse("test.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))));
    }

    private static final String VALID = """
            layer: test
            rules:
              - id: t.one
                category: disk_full
                title: 'Disk full'
                when:
                  any:
                    - line: 'No space left on device'
                fix:
                  class: free_or_add_disk_space
                  summary: 'free space'
                  steps: ['df -h']
            """;

    @Test
    void loadsAValidFile() {
        assertThat(load(VALID).rules()).hasSize(1);
    }

    @Test
    void unknownKeysFailWithTheirName() {
        assertThatThrownBy(() -> load(VALID.replace("title:", "titel:")))
                .isInstanceOf(RuleCatalogException.class)
                .hasMessageContaining("titel");
    }

    @Test
    void labelsOutsideTheTaxonomyFail() {
        assertThatThrownBy(() -> load(VALID.replace("disk_full", "disk_is_full")))
                .hasMessageContaining("unknown category 'disk_is_full'");
        assertThatThrownBy(() -> load(VALID.replace("class: free_or_add_disk_space", "class: buy_disks")))
                .hasMessageContaining("unknown fix class 'buy_disks'");
        assertThatThrownBy(() -> load(VALID.replace("'No space left on device'", "'(unclosed'")))
                .hasMessageContaining("bad regex");
    }

    @Test
    void theBuiltInCatalogCoversEveryCategory() {
        Set<String> covered = RuleCatalog.builtIn().rules().stream()
                .map(r -> r.rule().category())
                .collect(Collectors.toSet());
        Set<String> expected = Taxonomy.CATEGORIES.keySet().stream()
                .filter(c -> !c.equals(Taxonomy.UNKNOWN))
                .collect(Collectors.toSet());
        assertThat(covered).containsAll(expected);
    }
}
