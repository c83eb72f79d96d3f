package io.deagent.llm.prompt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.deagent.core.Diagnosis;
import java.util.List;

/**
 * A model's answer that passed {@link AnswerValidator}: taxonomy labels, a confidence in [0, 1], and the
 * cited lines with the text the prompt showed for them (source {@code log}).
 */
public record LlmAnswer(
        String category,
        String title,
        String summary,
        double confidence,
        String fixClass,
        String fixSummary,
        List<String> steps,
        List<Diagnosis.EvidenceLine> evidenceLines) {

    public LlmAnswer {
        steps = List.copyOf(steps);
        evidenceLines = List.copyOf(evidenceLines);
    }

    /** The cited line numbers, in the order the model gave them. */
    @JsonIgnore
    public List<Integer> citedLines() {
        return evidenceLines.stream().map(Diagnosis.EvidenceLine::line).toList();
    }
}
