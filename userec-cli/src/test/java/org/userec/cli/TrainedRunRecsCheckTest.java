package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.config.Yaml;

/**
 * On a real trained run (e.g. LightGCN on ../shared/data/baby): export, recommend for every user, and the test
 * Recall@20 and NDCG@20 computed from recs.tsv by this file's formulas equal results.json at 4 decimals. Runs
 * only when USEREC_RECS_CHECK_RUN names a finished run folder (it needs the dataset the run was trained on).
 */
class TrainedRunRecsCheckTest {
  @Test
  void recsFromATrainedRunReproduceItsTestMetrics(@TempDir Path dir) throws Exception {
    String env = System.getenv("USEREC_RECS_CHECK_RUN");
    assumeTrue(env != null && !env.isBlank(), "skipped: set USEREC_RECS_CHECK_RUN to a finished run folder (e.g. LightGCN on baby)");
    Path run = Path.of(env);
    Properties info = new Properties();
    info.load(new StringReader(Files.readString(run.resolve("run.properties"))));
    Path inter = Path.of(info.getProperty("folder")).resolve(info.getProperty("dataset") + ".inter");
    Path model = dir.resolve("model");
    CliTest.Result e = CliTest.run("export", "--run", run.toString(), "--out", model.toString());
    assertThat(e.code()).as(e.err()).isZero();
    Path recs = dir.resolve("recs.tsv");
    CliTest.Result r = CliTest.run("recommend", "--model", model.toString(), "--k", "20", "--ids", "internal", "--out", recs.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(recs);
    int[][] lists = new int[lines.size()][];
    for (String line : lines) {
      String[] f = line.split("\t");
      lists[Integer.parseInt(f[0])] = Arrays.stream(f[1].split(",")).mapToInt(Integer::parseInt).toArray();
    }
    double[] ours = ExportRecommendTest.recallNdcg(lists, ExportRecommendTest.testItems(inter, lists.length), 20);
    Map<?, ?> test = (Map<?, ?>) Yaml.parseFile(run.resolve("results.json")).get("test");
    System.out.printf("recs.tsv: recall@20 %.6f ndcg@20 %.6f; results.json: %s %s%n", ours[0], ours[1], test.get("recall@20"), test.get("ndcg@20"));
    assertThat(ExportRecommendTest.fmt(ours[0])).isEqualTo(ExportRecommendTest.fmt(((Number) test.get("recall@20")).doubleValue()));
    assertThat(ExportRecommendTest.fmt(ours[1])).isEqualTo(ExportRecommendTest.fmt(((Number) test.get("ndcg@20")).doubleValue()));
  }
}
