package io.deagent.llm.prompt;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * The delimiters of untrusted data in a prompt: {@code <<<UNTRUSTED_<KIND>_<nonce>} ...
 * {@code UNTRUSTED_<KIND>_<nonce>>>>}, with a random nonce per prompt so that data written before the prompt
 * cannot know the closing line. Data is defused as well: runs of {@code <<<} and {@code >>>} are broken up
 * and the nonce is masked, so no data line can open or close a fence even if it guessed the nonce.
 */
final class Fence {

    private final String nonce;

    private Fence(String nonce) {
        this.nonce = nonce;
    }

    static Fence random(RandomGenerator random) {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return new Fence(HexFormat.of().formatHex(bytes));
    }

    String nonce() {
        return nonce;
    }

    /** The text with anything that could pass for a fence made harmless. */
    String defuse(String text) {
        String s = text.replace(nonce, "[fence-id]");
        while (s.contains("<<<") || s.contains(">>>")) {
            s = s.replace("<<<", "< < <").replace(">>>", "> > >");
        }
        return s;
    }
}
