// DefaultInputHandler: the client's non-interactive answers to server requests.
#include "mcp/client/input_handler.h"

#include <cctype>
#include <filesystem>

namespace weft::mcp {
namespace {

std::string CurrentDirectory() {
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? std::string("/") : cwd.string();
}

}  // namespace

std::string FileUri(const std::string& absolute_path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file://";
  for (unsigned char c : absolute_path) {
    bool plain = std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      uri.push_back(static_cast<char>(c));
    } else {
      uri.push_back('%');
      uri.push_back(kHex[c >> 4]);
      uri.push_back(kHex[c & 15]);
    }
  }
  return uri;
}

DefaultInputHandler::DefaultInputHandler(std::string root_dir, Sampler sampler)
    : root_dir_(std::move(root_dir)), sampler_(std::move(sampler)) {}

Json DefaultInputHandler::Capabilities() const {
  Json caps = {{"roots", Json::object()}, {"elicitation", {{"form", Json::object()}}}};
  if (sampler_) caps["sampling"] = Json::object();
  return caps;
}

InputReply DefaultInputHandler::Handle(const std::string& method, const Json& params) {
  if (method == "roots/list") {
    std::string dir = root_dir_.empty() ? CurrentDirectory() : root_dir_;
    std::string name = std::filesystem::path(dir).filename().string();
    Json root = {{"uri", FileUri(dir)}};
    if (!name.empty()) root["name"] = name;
    return Json{{"roots", Json::array({root})}};
  }
  if (method == "elicitation/create") return Json{{"action", "decline"}};
  if (method == "sampling/createMessage" && sampler_) return sampler_(params);
  return RpcError{rpc::kMethodNotFound, "Method not found: " + method + " is not supported by this client",
                  nullptr};
}

}  // namespace weft::mcp
