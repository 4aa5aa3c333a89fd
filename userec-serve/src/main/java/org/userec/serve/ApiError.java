package org.userec.serve;

/** A client mistake (or a refusal) answered as JSON {error, detail} with its 4xx status. */
final class ApiError extends RuntimeException {
  final int status;
  final String error;

  ApiError(int status, String error, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.error = error;
  }

  static ApiError badRequest(String detail) {
    return new ApiError(400, "bad_request", detail);
  }

  static ApiError notFound(String detail) {
    return new ApiError(404, "not_found", detail);
  }
}
