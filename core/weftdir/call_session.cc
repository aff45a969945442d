// The call-file transaction: collect, parse, run once, serve by offset.
#include "core/weftdir/call_session.h"

#include <chrono>
#include <exception>
#include <utility>

#include "core/base/cancellation.h"
#include "core/base/strings.h"

namespace weft::weftdir {
namespace {

// The venom Context of one session: its cancellation, no progress reports
// (a reader blocked on a file has nowhere to see them).
class SessionContext : public venoms::Context {
 public:
  SessionContext(const CancellationToken& token, const grants::Grant* grant) : token_(token), grant_(grant) {}
  const CancellationToken& cancellation() const override { return token_; }
  void Progress(double, std::optional<double>, const std::string&) override {}
  const grants::Grant* grant() const override { return grant_; }

 private:
  const CancellationToken& token_;
  const grants::Grant* grant_;
};

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

std::string TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    default: return value.is_number() ? "a number" : "not an object";
  }
}

// Why `text` is not JSON, in nlohmann's words (the rare path: parsed again to
// learn why, catching here, at the adapter that calls nlohmann).
std::string ParseProblem(std::string_view text) {
  try {
    Json ignored = Json::parse(text);
    (void)ignored;
  } catch (const Json::exception& e) {
    return e.what();
  }
  return "not valid JSON";
}

class OpCallSession : public CallSession {
 public:
  OpCallSession(const venoms::Registry& registry, const venoms::Op& op, CallOptions options)
      : registry_(registry), op_(op), options_(std::move(options)) {}

  Status Write(uint64_t offset, std::string_view data) override {
    if (ran_) {
      return Status::FailedPrecondition(
          "this call has already run: its response is being read. Open the call file again for another call");
    }
    if (offset != request_.size()) {
      return Status::InvalidArgument(StrCat({"writes to a call file must be sequential: the next write belongs at "
                                             "offset ", std::to_string(request_.size()), ", not ",
                                             std::to_string(offset)}));
    }
    if (data.size() > kMaxRequestBytes - request_.size()) {
      return Status::ResourceExhausted(StrCat({"a call file's request is capped at ",
                                               std::to_string(kMaxRequestBytes), " bytes"}));
    }
    request_.append(data);
    return Status::Ok();
  }

  Result<std::string> Read(uint64_t offset, size_t size) override {
    if (!ran_) {
      ran_ = true;
      first_read_ = offset;
      response_ = Run(request_);
      request_ = std::string();
    }
    uint64_t at = offset >= first_read_ ? offset - first_read_ : 0;
    if (at >= response_.size()) return std::string();
    return response_.substr(at, size);
  }

  void Cancel() override { token_.Cancel(); }

 private:
  // Runs the call and, under a gate, reports how it ended.
  std::string Run(std::string_view request) const {
    CallRecord record;
    record.op = &op_;
    record.arrived = std::chrono::system_clock::now();
    auto start = std::chrono::steady_clock::now();
    Json args;
    std::string response = RunAdmitted(request, &args, &record);
    if (options_.gate != nullptr) {
      record.arguments = args.is_object() ? &args : nullptr;
      record.cancelled = token_.cancelled();
      record.duration =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
      options_.gate->Finished(record);
    }
    return response;
  }

  std::string RunAdmitted(std::string_view request, Json* args_out, CallRecord* record) const {
    Json& args = *args_out;
    record->protocol_error = kInvalidRequest;
    if (JsonNestingDepth(request, kMaxRequestDepth) > kMaxRequestDepth) {
      return ErrorResponse(kInvalidRequest, "invalid_request",
                           StrCat({"Invalid Request: JSON nested deeper than ", std::to_string(kMaxRequestDepth),
                                   " levels"}));
    }
    args = IsBlank(request) ? Json::object() : Json::parse(request, nullptr, /*allow_exceptions=*/false);
    record->protocol_error = kParseError;
    if (args.is_discarded()) return ErrorResponse(kParseError, "parse_error", "Parse error: " + ParseProblem(request));
    record->protocol_error = kInvalidParams;
    if (args.is_null()) args = Json::object();  // as MCP takes "arguments": null
    if (!args.is_object()) {
      return ErrorResponse(kInvalidParams, "invalid_params",
                           StrCat({"Invalid params: the request must be a JSON object of arguments for ", op_.name,
                                   ", not ", TypeName(args)}));
    }
    const Json& properties = op_.input->document().value("properties", Json::object());
    if (!options_.workspace.empty() && !args.contains("workspace") && properties.contains("workspace")) {
      args["workspace"] = options_.workspace;
    }
    record->protocol_error = 0;
    if (options_.gate != nullptr) {
      record->refusal = options_.gate->Admit(op_, args);
      if (!record->refusal.ok()) return ToolErrorResponse(record->refusal);
    }
    record->admitted = true;
    record->failed = true;
    if (token_.cancelled()) return ToolErrorResponse(Status::Cancelled("the call was cancelled before it ran"));
    SessionContext ctx(token_, options_.gate != nullptr ? options_.gate->grant() : nullptr);
    venoms::Registry::Stage stage = venoms::Registry::Stage::kArguments;
    try {
      Result<venoms::Reply> reply = registry_.Call(ctx, op_, args, &stage);
      if (reply.ok()) {
        record->failed = false;
        return SuccessResponse(reply->data);
      }
      if (stage == venoms::Registry::Stage::kReply) {
        record->protocol_error = kInternalError;
        return ErrorResponse(kInternalError, "internal_error", "Internal error: " + reply.status().message());
      }
      return ToolErrorResponse(reply.status());
    } catch (const std::exception& e) {
      // As the MCP engine does: an exception escaping an op is a bug, answered
      // as an internal error rather than losing the process.
      record->protocol_error = kInternalError;
      return ErrorResponse(kInternalError, "internal_error", StrCat({"Internal error: ", e.what()}));
    }
  }

  const venoms::Registry& registry_;
  const venoms::Op& op_;
  const CallOptions options_;
  CancellationToken token_;
  std::string request_;     // collected until the first read
  bool ran_ = false;
  uint64_t first_read_ = 0;  // response offsets count from here
  std::string response_;
};

}  // namespace

int ToolErrorCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidArgument: return 1;
    case StatusCode::kNotFound: return 2;
    case StatusCode::kAlreadyExists: return 3;
    case StatusCode::kPermissionDenied: return 4;
    case StatusCode::kFailedPrecondition: return 5;
    case StatusCode::kOutOfRange: return 6;
    case StatusCode::kResourceExhausted: return 7;
    case StatusCode::kDeadlineExceeded: return 8;
    case StatusCode::kCancelled: return 9;
    case StatusCode::kUnavailable: return 10;
    case StatusCode::kUnimplemented: return 11;
    case StatusCode::kIoError: return 12;
    case StatusCode::kInternal: return 13;
  }
  return 13;
}

std::string_view ToolErrorStatus(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kOutOfRange: return "out_of_range";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kDeadlineExceeded: return "deadline_exceeded";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kUnimplemented: return "unimplemented";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kInternal: return "internal";
  }
  return "internal";
}

std::string SuccessResponse(const Json& data) { return DumpJson(data) + "\n"; }

std::string ErrorResponse(int code, std::string_view status, std::string_view message) {
  Json error = {{"code", code}, {"status", std::string(status)}, {"message", std::string(message)}};
  return DumpJson(Json{{"error", std::move(error)}}) + "\n";
}

std::string ToolErrorResponse(const Status& status) {
  return ErrorResponse(ToolErrorCode(status.code()), ToolErrorStatus(status.code()), status.message());
}

std::unique_ptr<CallSession> NewOpCallSession(const venoms::Registry& registry, const venoms::Op& op,
                                              CallOptions options) {
  return std::make_unique<OpCallSession>(registry, op, std::move(options));
}

Result<std::string> RunCall(CallSession& session, std::string_view request) {
  WEFT_RETURN_IF_ERROR(session.Write(0, request));
  std::string response;
  constexpr size_t kChunk = 1 << 16;
  for (;;) {
    WEFT_ASSIGN_OR_RETURN(std::string chunk, session.Read(response.size(), kChunk));
    if (chunk.empty()) return response;
    response += chunk;
  }
}

}  // namespace weft::weftdir
