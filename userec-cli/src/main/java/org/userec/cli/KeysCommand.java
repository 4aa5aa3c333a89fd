package org.userec.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.userec.config.KeyDocs;
import org.userec.model.ModelRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "List the config keys (for --set, --config and the yaml layers) with their defaults, what they mean and the values they take.",
      "Without -m: the shared keys of configs/overall.yaml; with -m: also the model's keys, with the model's defaults.",
      "",
      "Example: userec keys -m LightGCN"
    })
final class KeysCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "Also list this model's keys: ${sys:userec.models}.")
  String model;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String canonical = model == null ? null : ModelRegistry.canonical(model);
    List<KeyDocs.Key> keys = KeyDocs.of(canonical);
    String file = null;
    for (KeyDocs.Key k : keys) {
      if (!k.file().equals(file)) {
        file = k.file();
        out.println((file.equals("configs/overall.yaml") ? "" : "\n") + "# " + file);
      }
      StringBuilder sb = new StringBuilder(k.name()).append(": ").append(k.defaultValue().isEmpty() ? "null" : k.defaultValue());
      if (!k.doc().isEmpty()) {
        sb.append("  -- ").append(k.doc());
      }
      if (k.rule() != null) {
        sb.append(" [must be ").append(k.rule()).append(']');
      }
      out.println(sb);
    }
    out.println();
    out.println("Set a key with --set KEY=VALUE (a list such as --set n_layers=[2,3] forms a grid when the key is in hyper_parameters).");
    out.flush();
    return 0;
  }
}
