package io.deagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The labels in code are the labels of taxonomy.md: the public contract. */
class TaxonomyTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\|", Pattern.MULTILINE);

    @Test
    void labelsMatchTheTaxonomyDocument() throws IOException {
        Path doc = TestPaths.taxonomyDoc();
        assumeTrue(Files.exists(doc), "shared/design/taxonomy.md is not beside the repository");
        String md = Files.readString(doc);
        String cats = md.substring(md.indexOf("## Categories"), md.indexOf("## Fix classes"));
        String fixes = md.substring(md.indexOf("## Fix classes"), md.indexOf("## Entity keys"));
        assertThat(Taxonomy.CATEGORIES.keySet()).containsExactlyInAnyOrderElementsOf(labels(cats));
        assertThat(Taxonomy.FIX_CLASSES.keySet()).containsExactlyInAnyOrderElementsOf(labels(fixes));
        // the keys are the list after the colon; "`entities`" before it names the field they go in
        String entities = md.substring(md.indexOf("## Entity keys"));
        entities = entities.substring(entities.indexOf("):"));
        Matcher m = Pattern.compile("`([a-z_]+)`").matcher(entities);
        while (m.find()) {
            assertThat(Taxonomy.isEntityKey(m.group(1))).as(m.group(1)).isTrue();
        }
    }

    private static Set<String> labels(String section) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = ROW.matcher(section);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
