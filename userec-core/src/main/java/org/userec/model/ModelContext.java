package org.userec.model;

import java.util.random.RandomGenerator;
import org.userec.config.Config;
import org.userec.data.Dataset;

/** What a model is built from: its merged config, the dataset, and the generator for its initialisation. */
public record ModelContext(Config config, Dataset dataset, RandomGenerator initRng) {}
