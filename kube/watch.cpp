#include "kube/watch.h"

#include "kube/errors.h"

namespace wsop::kube {

std::string WatchEvent::resource_version() const {
  if (!object.is_object()) return "";
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  auto version = metadata->find("resourceVersion");
  return version != metadata->end() && version->is_string() ? version->get<std::string>() : "";
}

const char* to_string(WatchEvent::Type type) {
  switch (type) {
    case WatchEvent::Type::kAdded: return "ADDED";
    case WatchEvent::Type::kModified: return "MODIFIED";
    case WatchEvent::Type::kDeleted: return "DELETED";
    case WatchEvent::Type::kBookmark: return "BOOKMARK";
  }
  return "?";
}

Outcome<WatchEvent> parse_watch_line(std::string_view line, std::string_view what) {
  auto invalid = [&](const std::string& why) {
    return Status::error(Code::kInvalid, std::string(what) + ": bad watch event: " + why);
  };
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return invalid("not a JSON object");
  auto type = parsed.find("type");
  auto object = parsed.find("object");
  if (type == parsed.end() || !type->is_string()) return invalid("no type");
  if (object == parsed.end() || !object->is_object()) return invalid("no object");
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "ERROR") return status_from_watch_error(object->dump(), what);
  WatchEvent event;
  if (name == "ADDED") {
    event.type = WatchEvent::Type::kAdded;
  } else if (name == "MODIFIED") {
    event.type = WatchEvent::Type::kModified;
  } else if (name == "DELETED") {
    event.type = WatchEvent::Type::kDeleted;
  } else if (name == "BOOKMARK") {
    event.type = WatchEvent::Type::kBookmark;
  } else {
    return invalid("unknown type \"" + name.substr(0, 32) + "\"");
  }
  event.object = std::move(*object);
  return event;
}

WatchStream::WatchStream(std::unique_ptr<LineStream> lines, std::string what)
    : lines_(std::move(lines)), what_(std::move(what)) {}

Outcome<std::optional<WatchEvent>> WatchStream::next() {
  for (;;) {
    Outcome<std::optional<std::string>> line = lines_->next_line();
    if (!line) return line.status().with_context(what_);
    if (!line->has_value()) return std::optional<WatchEvent>();
    if ((*line)->empty()) continue;
    Outcome<WatchEvent> event = parse_watch_line(**line, what_);
    if (!event) return event.status();
    return std::optional<WatchEvent>(std::move(*event));
  }
}

void WatchStream::cancel() {
  lines_->cancel();
}

}  // namespace wsop::kube
