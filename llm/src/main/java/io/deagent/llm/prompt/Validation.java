package io.deagent.llm.prompt;

/** The outcome of validating a model's answer: usable, or why not (the reason goes into the repair prompt). */
public sealed interface Validation {

    /** The answer can be merged into the diagnosis. */
    record Valid(LlmAnswer answer) implements Validation {}

    /** The answer must not be used; {@code reason} says why in one line. */
    record Invalid(String reason) implements Validation {}
}
