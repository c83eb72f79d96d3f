package io.deagent.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

/** The JSON form of a {@link Diagnosis}: snake_case keys, {@code null} for absent optional parts. */
public final class DiagnosisJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPrettyPrinter(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                    .withSeparators(com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)));

    private DiagnosisJson() {}

    private static final ObjectMapper READER = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Reads what {@link #write} wrote (fields added by later versions are ignored). */
    public static Diagnosis read(String json) {
        try {
            return READER.readValue(json, Diagnosis.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a de-agent/diagnosis@1 object: " + e.getOriginalMessage(), e);
        }
    }

    public static String write(Diagnosis d) {
        try {
            return MAPPER.writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Diagnosis always serialises", e);
        }
    }
}
