package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EditTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void editsApplyOnBytesInAnyOrder() {
        byte[] source = utf8("ä = 1; ö = 2\n");
        int one = utf8("ä = ").length;
        int two = utf8("ä = 1; ö = ").length;
        byte[] out = Edit.apply(source, List.of(new Edit(two, two + 1, "20"), new Edit(one, one + 1, "10")));
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("ä = 10; ö = 20\n");
    }

    @Test
    void overlappingEditsAreRefused() {
        assertThatThrownBy(() -> Edit.apply(utf8("abcdef"), List.of(new Edit(1, 3, "x"), new Edit(2, 4, "y"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPatchKeepsTheWrittenRangesInCurrentOffsets() {
        Patch p = new Patch(utf8("aaa bbb ccc"));
        p.apply(new Edit(8, 11, "CCCC")); // "aaa bbb CCCC"
        p.apply(Edit.insert(0, "xx ")); // "xx aaa bbb CCCC"
        assertThat(new String(p.bytes(), StandardCharsets.UTF_8)).isEqualTo("xx aaa bbb CCCC");
        assertThat(p.written()).containsExactlyInAnyOrder(new Patch.Written(0, 3), new Patch.Written(11, 15));
        p.apply(new Edit(12, 13, "")); // overlaps the written range: they merge
        assertThat(p.written()).containsExactlyInAnyOrder(new Patch.Written(0, 3), new Patch.Written(11, 14));
    }
}
