package org.userec.features;

import java.io.IOException;

/**
 * A multimodal LLM that turns (prompt, image) into one pooled hidden-state vector: USERec's z_i before
 * normalisation (USERec-spec.md §1: second-to-last layer, mean over tokens). Implementations must be safe to
 * call from several threads.
 */
public interface MllmBackend {
  /** The item's prompt and image (image may be {@link Image#NONE}). */
  record Request(int item, String prompt, Image image) {}

  /** An image: a URL the server can fetch, a data URL built from a local file, or none. */
  record Image(String url) {
    public static final Image NONE = new Image(null);

    public boolean present() {
      return url != null;
    }
  }

  /** The pooled vector for one request; an {@link IOException} when the backend fails. */
  float[] embed(Request request) throws IOException, InterruptedException;

  /** A short description for logs: model and endpoint. */
  String describe();
}
