package dev.codec.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Pretty-printed JSON on a command's standard output. */
final class JsonOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonOutput() {}

    static void print(CommandLine.Model.CommandSpec spec, Object value) throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        out.flush();
    }
}
