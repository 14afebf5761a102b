#include "providers/support/json_fields.h"

namespace wsop::providers {

Outcome<Json> parse_body(std::string_view body, std::string_view what) {
  Json parsed = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::error(Code::kTransient, "malformed JSON in " + std::string(what) + " (" +
                                               std::to_string(body.size()) + " bytes)");
  }
  return parsed;
}

namespace {

// SAX events to items: containers below an item are built as nlohmann's
// own DOM parser builds them (a path of open containers); everything
// outside the array is only counted in depth.
class ItemsReader : public nlohmann::json_sax<Json> {
 public:
  ItemsReader(std::string_view key, const std::function<void(Json&&)>& on_item, StreamedItems& out)
      : key_(key), on_item_(on_item), out_(out) {}

  bool null() override { return value(Json(nullptr)); }
  bool boolean(bool v) override { return value(Json(v)); }
  bool number_integer(number_integer_t v) override { return value(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(Json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return value(Json(v)); }
  bool string(string_t& v) override { return value(Json(std::move(v))); }
  bool binary(binary_t& v) override { return value(Json::binary(std::move(v))); }
  bool start_object(std::size_t) override { return open(Json::object()); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (!path_.empty()) {
      key_of_next_ = std::move(k);
    } else if (depth_ == 1) {
      at_key_ = k == key_;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  Json* insert(Json&& v) {
    Json& parent = *path_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    Json& slot = parent[key_of_next_];
    slot = std::move(v);
    return &slot;
  }
  bool value(Json&& v) {
    if (!path_.empty()) {
      insert(std::move(v));
    } else if (in_items_ && depth_ == 2) {
      hand_over(std::move(v));
    }
    return true;
  }
  bool open(Json&& container) {
    if (!path_.empty()) {
      path_.push_back(insert(std::move(container)));
    } else if (in_items_ && depth_ == 2) {
      item_ = std::move(container);
      path_.push_back(&item_);
    } else if (depth_ == 1 && at_key_ && container.is_array() && top_is_object_) {
      in_items_ = true;
      out_.array_found = true;
    } else if (depth_ == 0) {
      top_is_object_ = container.is_object();
    }
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    if (!path_.empty()) {
      path_.pop_back();
      if (path_.empty()) hand_over(std::move(item_));
    } else if (in_items_ && depth_ == 1) {
      in_items_ = false;
    }
    return true;
  }
  void hand_over(Json&& item) {
    ++out_.items;
    on_item_(std::move(item));
  }

  std::string_view key_;
  const std::function<void(Json&&)>& on_item_;
  StreamedItems& out_;
  int depth_ = 0;
  bool top_is_object_ = false, at_key_ = false, in_items_ = false;
  Json item_;
  std::vector<Json*> path_;  // the containers of item_ open now, outermost first
  std::string key_of_next_;
};

}  // namespace

Outcome<StreamedItems> parse_body_items(std::string_view body, std::string_view what,
                                        std::string_view array_key,
                                        const std::function<void(Json&& item)>& on_item) {
  StreamedItems out;
  ItemsReader reader(array_key, on_item, out);
  if (!Json::sax_parse(body.begin(), body.end(), &reader, nlohmann::detail::input_format_t::json,
                       /*strict=*/true)) {
    return Status::error(Code::kTransient, "malformed JSON in " + std::string(what) + " (" +
                                               std::to_string(body.size()) + " bytes)");
  }
  return out;
}

namespace {
const Json* field(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
}  // namespace

std::optional<std::string> get_string(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<int64_t> get_int(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  if (!v || !v->is_number_integer()) return std::nullopt;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<bool> get_bool(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

const Json* get_object(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  return v && v->is_object() ? v : nullptr;
}

const Json* get_array(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  return v && v->is_array() ? v : nullptr;
}

std::optional<std::string> get_id(const Json& object, std::string_view key) {
  if (auto n = get_int(object, key)) return std::to_string(*n);
  auto s = get_string(object, key);
  if (s && !s->empty()) return s;
  return std::nullopt;
}

}  // namespace wsop::providers
